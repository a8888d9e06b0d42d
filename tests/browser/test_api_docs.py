"""Swagger UI at /api/v1/docs starts under the service's Content-Security-Policy."""


def test_swagger_ui_renders_the_document_without_any_csp_refusal(live_server, new_page):
    page = new_page()
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Crosscheck API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-tag").first.wait_for()  # the operations are listed
    # new_page fails the test at teardown if the policy blocked any script or style
