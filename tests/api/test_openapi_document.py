"""The OpenAPI document builds cleanly: every schema under one stable name of its own."""

import re
import warnings

from app import create_app
from tests.conftest import TEST_SECRET


def test_building_the_document_resolves_no_two_schemas_to_one_name(database_url):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET})
        document = app.test_client().get("/api/v1/openapi.json").json
        app.extensions["crosscheck.engine"].dispose()
    clashes = [str(w.message) for w in caught if "Multiple schemas resolved" in str(w.message)]
    assert clashes == []
    # apispec renames a clash by appending a counter (Licence1): no name may look like that
    assert [name for name in document["components"]["schemas"] if re.search(r"\d$", name)] == []


def test_each_list_page_is_its_own_named_schema(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    pages = {"ApplicationPage", "LicencePage", "EntryPage", "RequestPage", "ReportPage"}
    pages.add("CouncilIntelligencePage")
    assert pages <= set(schemas)
    for name in pages:
        assert set(schemas[name]["properties"]) == {"items", "next_cursor"}


def _operations(document: dict):
    """Yield (label, operation) of every operation in the document."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield f"{method.upper()} {path}", operation


def test_every_operation_that_checks_if_match_documents_412(client):
    document = client.get("/api/v1/openapi.json").json
    versioned = [
        (label, operation)
        for label, operation in _operations(document)
        if any(p.get("name") == "If-Match" for p in operation.get("parameters", []))
    ]
    assert len(versioned) >= 12
    for label, operation in versioned:
        assert "412" in operation["responses"], label
        content = operation["responses"]["412"]["content"]
        assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_business_rule_422s_are_documented_with_what_they_mean(client):
    document = client.get("/api/v1/openapi.json").json
    operations = dict(_operations(document))
    # no request schema, but services refuse by business rule, and every POST checks its Idempotency-Key
    for label in (
        "POST /api/v1/applications/{application_id}/rescreen",
        "POST /api/v1/applications/{application_id}/withdraw",
        "POST /api/v1/webhook-endpoints/{endpoint_id}/rotate-secret",
        "POST /api/v1/screenings",
        "PUT /api/v1/intelligence/{force_reference}",
    ):
        assert operations[label]["responses"]["422"]["description"].startswith(
            "Validation failed: a value breaks its schema or a business rule"
        ), label
    assert "422" not in operations["GET /api/v1/licences/{licence_id}"]["responses"]
    assert "412" not in operations["POST /api/v1/screenings"]["responses"]


def test_a_url_too_long_for_the_server_is_documented_as_its_html_414(client):
    """schemathesis: gunicorn's own 414 page came back where nothing documented it."""
    document = client.get("/api/v1/openapi.json").json
    operations = dict(_operations(document))
    assert set(operations["GET /api/v1/licences"]["responses"]["414"]["content"]) == {"text/html"}
    assert "414" in operations["GET /api/v1/intelligence/{force_reference}"]["responses"]
    assert "414" not in operations["GET /api/v1/me"]["responses"]
