"""DBS Update Service status checks: the documented request, each status, and every kind of failure."""

from datetime import date

import pytest

from integrations.dbs import DbsClient, DbsStatus, parse_status
from integrations.errors import PermanentError, RetryableError
from tests.integrations.fakes import FakeDbs, dbs_result_xml
from tests.integrations.servers import Reply

PRINTED = date(2025, 11, 3)
CERTIFICATES = {
    "200000000001": ("BLANK_NO_NEW_INFO", PRINTED),
    "300000000001": ("NON_BLANK_NO_NEW_INFO", PRINTED),
    "400000000001": ("NEW_INFO", PRINTED),
}


@pytest.fixture
def dbs(loopback_server):
    """Make the loopback server the Update Service's status endpoint."""
    loopback_server.handler = FakeDbs(CERTIFICATES)
    return loopback_server.handler


def check(server, client, certificate="200000000001"):
    """Ask the server for a certificate's status as the licensing team of a council."""
    dbs_client = DbsClient(client, server.url + "/", "Wolverhampton City Council", "Alex", "Checker")
    return dbs_client.status(certificate, "Okafor", date(1980, 2, 7))


@pytest.mark.parametrize(
    ("certificate", "expected"),
    [
        ("200000000001", DbsStatus("BLANK_NO_NEW_INFO", PRINTED)),
        ("300000000001", DbsStatus("NON_BLANK_NO_NEW_INFO", PRINTED)),
        ("400000000001", DbsStatus("NEW_INFO", PRINTED)),
        ("100000000001", DbsStatus("NO_MATCH_FOUND", None)),
    ],
)
def test_each_documented_status_is_read(loopback_server, http_client, dbs, certificate, expected):
    assert check(loopback_server, http_client, certificate) == expected


def test_request_carries_the_documented_parameters(loopback_server, http_client, dbs):
    check(loopback_server, http_client)
    request = loopback_server.requests[0]
    assert (request.method, request.path) == ("GET", "/crsc/api/status/200000000001")
    assert request.query == {
        "dateOfBirth": "07/02/1980",
        "surname": "Okafor",
        "hasAgreedTermsAndConditions": "true",
        "organisationName": "Wolverhampton City Council",
        "employeeForename": "Alex",
        "employeeSurname": "Checker",
    }


def test_status_is_frozen():
    with pytest.raises(AttributeError):
        DbsStatus("NEW_INFO").status = "BLANK_NO_NEW_INFO"


@pytest.mark.parametrize(
    "certificate", ["", "20000000001", "2000000000011", "20000000000A", "2000 0000 0001"]
)
def test_malformed_certificate_number_is_permanent_and_never_sent(
    loopback_server, http_client, dbs, certificate
):
    with pytest.raises(PermanentError):
        check(loopback_server, http_client, certificate)
    assert loopback_server.requests == []


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(404, "Not found"), PermanentError),
        (Reply(400, "Errors: \n- `surname` is missing but is required."), PermanentError),
        (Reply(500, "Internal Server Error"), RetryableError),
        (Reply(503, headers={"Retry-After": "30"}), RetryableError),
        (Reply(429), RetryableError),
        (Reply(200, delay=5), RetryableError),
        (Reply(close=True), RetryableError),
    ],
)
def test_failures_are_classified(loopback_server, http_client, dbs, reply, error):
    loopback_server.script(reply)
    with pytest.raises(error) as caught:
        check(loopback_server, http_client)
    assert caught.value.status_code == (reply.status if not (reply.delay or reply.close) else None)


@pytest.mark.parametrize(
    "body",
    [
        b"<statusCheckResult><status>NEW_INFO</status>",  # cut short
        b"not xml at all",
        b"",
        b"<html><body>Service unavailable</body></html>",
        b"<statusCheckResult><statusCheckResultType>SUCCESS</statusCheckResultType></statusCheckResult>",
        b"<statusCheckResult><statusCheckResultType>SUCCESS</statusCheckResultType>"
        b"<status>MAYBE</status></statusCheckResult>",
        dbs_result_xml("NEW_INFO", "OKAFOR", PRINTED).replace(PRINTED.isoformat(), "yesterday").encode(),
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><statusCheckResult>&e;</statusCheckResult>',
    ],
)
def test_malformed_answer_is_retryable(loopback_server, http_client, dbs, body):
    loopback_server.script(Reply(200, body, {"content-type": "application/xml"}))
    with pytest.raises(RetryableError):
        check(loopback_server, http_client)


def test_refused_status_check_is_permanent():
    body = b"<statusCheckResult><statusCheckResultType>FAILURE</statusCheckResultType></statusCheckResult>"
    with pytest.raises(PermanentError, match="FAILURE"):
        parse_status(body)


def test_answer_with_xml_declaration_and_whitespace_is_read():
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{dbs_result_xml("NEW_INFO", "OKAFOR", PRINTED)}\n'.encode()
    )
    assert parse_status(body) == DbsStatus("NEW_INFO", PRINTED)


def test_base_url_that_is_not_http_is_permanent(http_client):
    dbs_client = DbsClient(http_client, "dbs.example", "Council", "Alex", "Checker")
    with pytest.raises(PermanentError, match="URL"):
        dbs_client.status("200000000001", "Okafor", date(1980, 2, 7))


LAUGHS = (
    '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE statusCheckResult [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'
        for n in range(1, 5)
    )
    + "]><statusCheckResult><statusCheckResultType>SUCCESS</statusCheckResultType>"
    "<status>NEW_INFO</status><forename>&lol4;</forename></statusCheckResult>"
)
SMUGGLED_STATUS = (
    '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE statusCheckResult [<!ENTITY s "NEW_INFO">]>'
    "<statusCheckResult><statusCheckResultType>SUCCESS</statusCheckResultType>"
    "<status>&s;</status></statusCheckResult>"
)
EXTERNAL = (
    '<?xml version="1.0" encoding="UTF-16"?>\n'
    '<!DOCTYPE statusCheckResult [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
    "<statusCheckResult><statusCheckResultType>SUCCESS</statusCheckResultType>"
    "<status>NEW_INFO</status><surname>&x;</surname></statusCheckResult>"
)


@pytest.mark.parametrize(
    "document", [LAUGHS, SMUGGLED_STATUS, EXTERNAL], ids=["laughs", "entity", "external"]
)
@pytest.mark.parametrize(
    ("codec", "declared"), [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16LE"), ("utf-16-be", "UTF-16BE")]
)
def test_a_utf16_answer_declaring_entities_is_refused(
    loopback_server, http_client, dbs, document, codec, declared
):
    body = document.replace("UTF-16", declared).encode(codec)  # only "utf-16" writes a byte-order mark
    loopback_server.script(Reply(200, body, {"content-type": "application/xml"}))
    with pytest.raises(RetryableError, match="document type"):
        check(loopback_server, http_client)


def test_a_utf16_answer_without_a_document_type_is_read():
    body = f'<?xml version="1.0" encoding="UTF-16"?>{dbs_result_xml("NEW_INFO", "OKAFOR", PRINTED)}'
    assert parse_status(body.encode("utf-16")) == DbsStatus("NEW_INFO", PRINTED)
