"""Logs: JSON lines or text lines for people, a request id per request, and no personal data in either."""

import json
import logging
import re
import threading
from urllib.parse import urlencode

import httpx
import pytest
from flask import Blueprint, request
from werkzeug.serving import make_server

from app import create_app
from app.config import ConfigError, environment_log_format, load_config
from app.logs import REDACTED, JsonFormatter, StderrHandler, TextFormatter, configure_root
from licensing.identity.fields import IDENTITY_FIELDS
from licensing.identity.validation import valid_form
from licensing.synthetic import generator
from tests.conftest import TEST_SECRET

# Synthetic identity; the worked example licence number of docs/reference.md, driving licence numbers.
GIVEN, FAMILY = "Zebedee", "Quartermaine"
DOB, NI, LICENCE, POSTCODE = "1964-07-05", "QQ123456C", "MORGA657054SM9IJ", "SW1A 1AA"
PERSONAL_VALUES = (GIVEN, FAMILY, DOB, NI, LICENCE, POSTCODE, "SW1A")
PERSON = {
    "given_names": GIVEN,
    "family_name": FAMILY,
    "date_of_birth": DOB,
    "ni_number": NI,
    "driving_licence_number": LICENCE,
    "postcode": POSTCODE,
}
QUERY = urlencode(PERSON)

probe = Blueprint("log_probe", __name__, url_prefix="/api/log-probe")
probe_log = logging.getLogger("tests.log_probe")


@probe.post("/careless")
def careless():
    """Log the way a careless view might: identity in the message and in `extra`."""
    person = request.get_json()
    probe_log.info(
        "checking %s with licence %s near %s",
        person["ni_number"],
        person["driving_licence_number"],
        person["postcode"],
        extra={k: person[k] for k in ("given_names", "family_name", "date_of_birth")},
    )
    return {"ok": True}


@probe.get("/boom")
def boom():
    """Fail with personal data in the exception text."""
    raise RuntimeError(f"no match for {request.args['ni_number']} / {request.args['driving_licence_number']}")


@pytest.fixture
def probed_client(app):
    """Return a test client for an app that also has the log probe views."""
    app.register_blueprint(probe)
    return app.test_client()


def lines_of(capsys) -> list[dict]:
    """Return the log lines written to stderr since the last call, each parsed as JSON."""
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]


def access_line(lines: list[dict]) -> dict:
    """Return the one access line among `lines`."""
    [line] = [line for line in lines if line["logger"] == "crosscheck.access"]
    return line


def assert_no_personal_data(text: str) -> None:
    """Fail if any synthetic identity value appears in `text`, raw or URL-encoded."""
    for value in PERSONAL_VALUES:
        for form in {value, value.replace(" ", "+"), value.replace(" ", "%20")}:
            assert form.lower() not in text.lower(), form


REQUESTS = [
    pytest.param("post", f"/api/log-probe/careless?{QUERY}", 200, id="logged-by-a-careless-view"),
    pytest.param("get", f"/api/log-probe/boom?{QUERY}", 500, id="view-raises"),
    pytest.param("get", f"/api/v1/me?{QUERY}", 401, id="api-refusal"),
    pytest.param("get", f"/api/v1/no-such-resource/{NI}?{QUERY}", 404, id="api-not-found"),
    pytest.param("get", f"/no-such-page?{QUERY}", 404, id="page-not-found"),
]


@pytest.mark.parametrize(("method", "url", "status"), REQUESTS)
def test_request_logs_carry_its_id_and_no_personal_data(probed_client, capsys, method, url, status):
    capsys.readouterr()
    response = getattr(probed_client, method)(url, json=PERSON)
    raw = capsys.readouterr().err
    lines = [json.loads(line) for line in raw.splitlines() if line.strip()]

    assert response.status_code == status
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert lines, "the request logged nothing"
    assert {line["request_id"] for line in lines} == {request_id}
    assert all({"timestamp", "level", "logger", "message"} <= line.keys() for line in lines)
    access = access_line(lines)
    assert access["path"] == url.split("?")[0].replace(NI, REDACTED)
    assert (access["method"], access["status"]) == (method.upper(), status)
    assert isinstance(access["duration_ms"], float)
    assert_no_personal_data(raw)


def test_careless_log_line_keeps_its_shape_with_the_identity_masked(probed_client, capsys):
    capsys.readouterr()
    probed_client.post("/api/log-probe/careless", json=PERSON)
    [line] = [line for line in lines_of(capsys) if line["logger"] == "tests.log_probe"]
    assert line["message"] == f"checking {REDACTED} with licence {REDACTED} near {REDACTED}"
    assert line["given_names"] == line["family_name"] == line["date_of_birth"] == REDACTED


def test_unexpected_error_is_logged_with_its_traceback_masked(probed_client, capsys):
    capsys.readouterr()
    response = probed_client.get(f"/api/log-probe/boom?{QUERY}")
    assert response.mimetype == "application/problem+json"
    [error] = [line for line in lines_of(capsys) if line["level"] == "ERROR"]
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert error["error_type"] == "RuntimeError"
    assert f"RuntimeError: no match for {REDACTED} / {REDACTED}" in error["exception"]


def test_sane_incoming_request_id_is_kept(client, capsys):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42_x"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.42_x"
    assert access_line(lines_of(capsys))["request_id"] == "lb-7f3a.42_x"


@pytest.mark.parametrize("incoming", ["", "has space", "x" * 65, 'quote"and{json}', "new\\nline"])
def test_unsafe_incoming_request_id_is_replaced(client, capsys, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    assert access_line(lines_of(capsys))["request_id"] == response.headers["X-Request-ID"]


def test_each_request_gets_its_own_id(client):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_creating_many_apps_installs_one_handler(database_url, capsys):
    for _ in range(3):
        app = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET})
        app.extensions["crosscheck.engine"].dispose()
    assert sum(isinstance(h, StderrHandler) for h in logging.getLogger().handlers) == 1
    capsys.readouterr()
    logging.getLogger("tests.once").warning("said once")
    assert [line["message"] for line in lines_of(capsys)] == ["said once"]


def format_record(msg: str, **extra) -> dict:
    """Format a record with `extra` through JsonFormatter and parse the result."""
    record = logging.makeLogRecord({"name": "t", "levelname": "INFO", "msg": msg, **extra})
    return json.loads(JsonFormatter().format(record))


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("NI AB123456C on file", f"NI {REDACTED} on file"),
        ("ni ab 12 34 56 c", f"ni {REDACTED}"),
        ("NI AB123456 without its suffix", f"NI {REDACTED} without its suffix"),
        ("licence MORGA657054SM9IJ", f"licence {REDACTED}"),
        ("licence morga657054sm9ij issued", f"licence {REDACTED} issued"),
        ("lives at SW1A 1AA", f"lives at {REDACTED}"),
        ("lives at m11ae", f"lives at {REDACTED}"),
        ("GET /api/v1/me 200 in 3.2 ms", "GET /api/v1/me 200 in 3.2 ms"),
        ("authority E08000031 badge 004512", "authority E08000031 badge 004512"),
        ("request 9f86d081884c7d659a2feaa0c55ad015", "request 9f86d081884c7d659a2feaa0c55ad015"),
    ],
)
def test_formatter_masks_personal_looking_strings_in_the_message(message, expected):
    assert format_record(message)["message"] == expected


def test_formatter_redacts_identity_fields_and_keeps_the_rest():
    line = format_record(
        "screened",
        family_name="Quartermaine",
        previous_names=["Smith", "Jones"],
        address="1 High Street",
        candidate={"ref": "R1", "date_of_birth": "1964-07-05", "note": "NI QQ123456C"},
        score=0.93,
        authority_code="E08000031",
    )
    assert line["family_name"] == line["previous_names"] == line["address"] == REDACTED
    assert line["candidate"] == {"ref": "R1", "date_of_birth": REDACTED, "note": f"NI {REDACTED}"}
    assert (line["score"], line["authority_code"]) == (0.93, "E08000031")
    assert line["request_id"] is None


def test_formatter_redacts_every_identity_field_passed_as_extra():
    line = format_record("screened", **dict.fromkeys(IDENTITY_FIELDS, "F"), score=0.5)
    assert {name: line[name] for name in IDENTITY_FIELDS} == dict.fromkeys(IDENTITY_FIELDS, REDACTED)
    assert line["score"] == 0.5


@pytest.mark.parametrize("name", ["postcode", "ni_number", "driving_licence_number"])
def test_every_identifier_written_as_the_validators_accept_it_is_masked(name):
    given = [person[name] for person in generator.people(300, seed=5) if person[name]]
    assert given and all(valid_form(name, value) for value in given)
    for value in given:
        message = format_record(f"value {value}, {value.lower()}.")["message"]
        assert message == f"value {REDACTED}, {REDACTED}."


def test_development_server_logs_only_our_access_line(app, capsys):
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        response = httpx.get(f"http://127.0.0.1:{server.server_port}/healthz?{QUERY}")
    finally:
        server.shutdown()
        thread.join()
    raw = capsys.readouterr().err
    assert response.status_code == 200
    assert [line["logger"] for line in map(json.loads, raw.splitlines())] == ["crosscheck.access"]
    assert_no_personal_data(raw)


def test_outbound_request_urls_are_not_logged(app, capsys):
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    with httpx.Client(transport=transport) as http:
        http.get("https://dbs.example/check", params={"surname": FAMILY, "dateOfBirth": DOB})
    assert_no_personal_data(capsys.readouterr().err)


# Text logs, for people at a console: development's default, LOG_FORMAT=text anywhere.
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR) +[\w.]+: ")


@pytest.fixture
def text_app(database_url):
    """Return a development app on this test's database (text logs); put JSON back afterwards."""
    app = create_app({"ENV_NAME": "development", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET})
    app.register_blueprint(probe)
    yield app
    app.extensions["crosscheck.engine"].dispose()
    configure_root("INFO", "json")


def format_text(msg: str, **extra) -> str:
    """Format a record with `extra` through TextFormatter."""
    record = logging.makeLogRecord({"name": "t", "levelname": "INFO", "msg": msg, **extra})
    return TextFormatter().format(record)


def test_development_logs_a_readable_line_per_event_with_the_request_id(text_app, capsys):
    capsys.readouterr()
    response = text_app.test_client().post("/api/log-probe/careless", json=PERSON)
    raw = capsys.readouterr().err
    request_id = response.headers["X-Request-ID"]
    lines = raw.splitlines()
    assert lines and all(TEXT_LINE.match(line) for line in lines), lines
    assert all(line.endswith(f"[request {request_id}]") for line in lines)
    [access] = [line for line in lines if " crosscheck.access: " in line]
    assert (
        " INFO    crosscheck.access: request method=POST path=/api/log-probe/careless status=200 " in access
    )
    assert re.search(r" duration_ms=\d+\.\d ", access)
    [careless] = [line for line in lines if " tests.log_probe: " in line]
    assert f"checking {REDACTED} with licence {REDACTED} near {REDACTED}" in careless
    assert f'given_names="{REDACTED}"' in careless and f'date_of_birth="{REDACTED}"' in careless
    assert_no_personal_data(raw)


@pytest.mark.parametrize(("method", "url", "status"), REQUESTS)
def test_text_logs_mask_personal_data_as_json_logs_do(text_app, capsys, method, url, status):
    capsys.readouterr()
    response = getattr(text_app.test_client(), method)(url, json=PERSON)
    raw = capsys.readouterr().err
    assert response.status_code == status
    assert raw and not any(line.startswith("{") for line in raw.splitlines())
    assert_no_personal_data(raw)


def test_text_traceback_is_masked_and_follows_its_line(text_app, capsys):
    capsys.readouterr()
    text_app.test_client().get(f"/api/log-probe/boom?{QUERY}")
    raw = capsys.readouterr().err
    assert f"RuntimeError: no match for {REDACTED} / {REDACTED}" in raw
    assert "Traceback (most recent call last):" in raw
    assert_no_personal_data(raw)


@pytest.mark.parametrize(("message", "expected"), [("NI AB123456C on file", f"NI {REDACTED} on file")])
def test_text_formatter_masks_the_message_and_redacts_identity_fields(message, expected):
    line = format_text(message, family_name="Quartermaine", candidate={"note": "NI QQ123456C"}, score=0.93)
    assert f": {expected} " in line
    assert f'family_name="{REDACTED}"' in line and f'candidate={{"note": "NI {REDACTED}"}}' in line
    assert line.endswith(" score=0.93") and "Quartermaine" not in line and "QQ123456C" not in line


@pytest.mark.parametrize("name", ["postcode", "ni_number", "driving_licence_number"])
def test_text_formatter_masks_every_identifier_the_validators_accept(name):
    for person in generator.people(100, seed=7):
        if person[name]:
            assert person[name].lower() not in format_text(f"value {person[name]}").lower()


@pytest.mark.parametrize("formatter", [JsonFormatter, TextFormatter])
def test_terminal_colours_of_the_development_server_are_dropped(formatter):
    record = logging.makeLogRecord(
        {"name": "werkzeug", "levelname": "INFO", "msg": "\x1b[33mPress CTRL+C\x1b[0m"}
    )
    written = formatter().format(record)
    assert "\x1b" not in written and "\\u001b" not in written and "Press CTRL+C" in written


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "json"),
        ({"CROSSCHECK_ENV": "production"}, "json"),
        ({"CROSSCHECK_ENV": "development"}, "text"),
        ({"CROSSCHECK_ENV": "development", "LOG_FORMAT": "json"}, "json"),
        ({"CROSSCHECK_ENV": "testing", "LOG_FORMAT": "TEXT"}, "text"),
    ],
)
def test_one_setting_decides_the_format_with_the_environments_default(environ, expected):
    assert environment_log_format(environ) == expected


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"ENV_NAME": "development"}, "text"),
        ({"ENV_NAME": "testing"}, "json"),
        ({"ENV_NAME": "development", "LOG_FORMAT": "json"}, "json"),
    ],
)
def test_the_apps_configuration_reads_the_same_setting(monkeypatch, overrides, expected):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert load_config(overrides | {"SECRET_KEY": TEST_SECRET})["LOG_FORMAT"] == expected


def test_a_testing_app_told_text_logs_text(database_url, capsys):
    app = create_app(
        {"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET, "LOG_FORMAT": "text"}
    )
    try:
        capsys.readouterr()
        app.test_client().get("/healthz")
        [line] = capsys.readouterr().err.splitlines()
    finally:
        app.extensions["crosscheck.engine"].dispose()
        configure_root("INFO", "json")
    assert TEXT_LINE.match(line) and "crosscheck.access: request method=GET path=/healthz status=200" in line


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ConfigError, match="LOG_FORMAT must be one of json, text, not 'yaml'"):
        load_config({"ENV_NAME": "testing", "LOG_FORMAT": "yaml"})
