"""Limits every API request meets before a view reads it: JSON nested at most 32 deep, storable text.

The attacks: a body nested 500 deep exhausted the stack (a 500), and a lone UTF-16 surrogate, which
JSON's \\uXXXX escapes can spell but UTF-8 cannot encode, reached a database driver (a 500 on six
endpoints). Each string field of every JSON endpoint in the OpenAPI document gets the surrogate here.
"""

import copy
import itertools
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation import GenerationMode

from app import create_app
from app.api.inputs import MAX_JSON_DEPTH, SURROGATE_MESSAGE, nested_deeper_than
from tests.conftest import TEST_SECRET

OPENAPI = "/api/v1/openapi.json"
SURROGATE = "\ud800"
# The batch's items are free-form objects in the document (a bad item is reported, not refused), but
# each is read as an item of PUT /intelligence/{force_reference}: its string fields are tried too.
BATCH_ITEM = "IntelligenceIn"


def _document() -> dict:
    """Return the app's OpenAPI document."""
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": "sqlite://", "SECRET_KEY": TEST_SECRET})
    document = app.test_client().get(OPENAPI).json
    app.extensions["crosscheck.engine"].dispose()
    return document


DOCUMENT = _document()


def _json_operations() -> list[str]:
    """Return 'METHOD /path' of every operation that takes a JSON body."""
    return [
        f"{method.upper()} {path}"
        for path, operations in DOCUMENT["paths"].items()
        for method, operation in operations.items()
        if method != "parameters"
        and "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


def _resolve(schema: dict) -> dict:
    """Follow a $ref to the component schema it names."""
    while "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def string_paths(schema: dict, path: tuple = ()) -> list[tuple]:
    """Return the path (keys and list indexes) of every string field `schema` describes."""
    schema = _resolve(schema)
    if schema.get("type") == "string":
        return [path]
    if schema.get("type") == "array":
        return string_paths(schema.get("items", {}), (*path, 0))
    if path == ("items", 0) and "properties" not in schema:
        item = {"$ref": f"#/components/schemas/{BATCH_ITEM}"}
        return [*string_paths(item, path), (*path, "force_reference")]
    properties = schema.get("properties", {})
    return [found for name, field in properties.items() for found in string_paths(field, (*path, name))]


def with_value(body, path: tuple, value):
    """Return a copy of `body` with `value` at `path` (index 0 of a list), making what is missing."""
    body = copy.deepcopy(body) if isinstance(body, dict) else {}
    here = body
    for key, next_key in itertools.pairwise(path):
        here = _slot(here, key, list if isinstance(next_key, int) else dict)
    _slot(here, path[-1], object)
    here[0 if isinstance(here, list) else path[-1]] = value
    return body


def _slot(container, key, kind: type):
    """Return the `kind` at `key` of a dict (index 0 of a list), putting an empty one there if needed."""
    if isinstance(container, list):
        container[:] = container[:1] or [kind()]
        key = 0
    elif key not in container:
        container[key] = kind()
    if not isinstance(container[key], kind):
        container[key] = kind()
    return container[key]


@pytest.mark.parametrize("label", _json_operations())
def test_a_lone_surrogate_in_any_string_field_is_a_422(app, client, seeded, label):
    operation = schemathesis.openapi.from_wsgi(OPENAPI, app).find_operation_by_label(label)
    scope = operation.definition.raw.get("x-required-scope") or ""
    headers = seeded["police" if scope.startswith("police:") else "council"]
    body_schema = operation.definition.raw["requestBody"]["content"]["application/json"]["schema"]
    paths = string_paths(body_schema)
    assert paths, f"{label} takes JSON but no string field was found in its schema"
    known = {p.name: seeded["ids"][p.name] for p in operation.path_parameters if p.name in seeded["ids"]}
    strategy = operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known or None)

    @settings(
        max_examples=2,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case):
        for path in paths:
            body = json.dumps(with_value(case.body, path, SURROGATE))  # ASCII: the surrogate as \ud800
            response = client.open(
                case.formatted_path,
                method=case.method,
                query_string=case.query,
                data=body,
                headers=headers,
                content_type="application/json",
            )
            assert response.status_code == 422, (path, response.status_code, response.get_data(as_text=True))
            problem = response.json
            assert problem["status"] == 422 and SURROGATE_MESSAGE in {e["message"] for e in problem["errors"]}

    check()


def test_a_lone_surrogate_in_a_field_name_is_a_422(client, seeded):
    body = {"given_names": "Ann", "family_name": "Bell", "purpose": "new_application", SURROGATE: "x"}
    response = client.post("/api/v1/screenings", json=body, headers=seeded["council"])
    assert response.status_code == 422
    assert response.json["errors"] == [
        {"field": "json.\\ud800", "message": f"This field's name: {SURROGATE_MESSAGE}"}
    ]


def test_a_surrogate_pair_is_one_character_and_accepted(client, seeded):
    person = '"given_names": "Ann", "family_name": "Bell", "purpose": "new_application"'
    body = "{" + person + ', "address": "1 \\ud83d\\ude00 Row"}'  # one emoji, escaped as a pair
    response = client.post(
        "/api/v1/screenings", data=body, content_type="application/json", headers=seeded["council"]
    )
    assert response.status_code == 201, response.json


def nested(depth: int) -> str:
    """Return a JSON body whose arrays nest `depth` deep."""
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 500, 100_000])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/screenings"),
        ("PUT", "/api/v1/intelligence/R1"),
        ("POST", "/api/v1/intelligence/batch"),
    ],
)
def test_json_nested_too_deep_is_a_400_problem(client, seeded, method, path, depth):
    headers = seeded["police" if "intelligence" in path else "council"]
    body = '{"items": ' + nested(depth - 1) + "}"
    response = client.open(path, method=method, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"] == f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."


def test_json_nested_to_the_limit_reaches_validation(client, seeded):
    body = '{"given_names": ' + nested(MAX_JSON_DEPTH - 1) + "}"
    response = client.post(
        "/api/v1/screenings", data=body, content_type="application/json", headers=seeded["council"]
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("body", "deep"),
    [
        (b'{"a": "' + b"[" * 100 + b'"}', False),  # brackets inside a string are text
        (b'["\\"' + b"[" * 100 + b'"]', False),  # an escaped quote does not end the string
        (b'["\\\\"' + b"[" * 40, True),  # an escaped backslash does
        (b"[" * 40, True),  # unbalanced: a parser would recurse before failing
        (b'{"a":' * 33 + b"1" + b"}" * 33, True),
        (b"[]" * 10_000, False),
    ],
)
def test_depth_is_measured_outside_strings(body, deep):
    assert nested_deeper_than(body, MAX_JSON_DEPTH) is deep


def test_a_json_body_that_is_not_utf8_is_a_400_problem(client, seeded):
    body = json.dumps({"given_names": "Ann"}).encode("utf-16")
    response = client.post(
        "/api/v1/screenings", data=body, content_type="application/json", headers=seeded["council"]
    )
    assert response.status_code == 400
    assert response.json["detail"] == "The JSON body is not UTF-8 text."
