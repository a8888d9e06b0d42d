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
