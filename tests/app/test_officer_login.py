"""Officer sign-in and sign-out: CSRF on every form, one refusal message, safe cookies."""

import re

from app import create_app
from licensing.access.users import REFUSAL
from licensing.persistence.models import User
from tests.conftest import TEST_SECRET
from tests.factories import OFFICER_PASSWORD, make_authority, make_user


def csrf_token(client, path: str = "/sign-in") -> str:
    """Return the CSRF token of the form at `path`."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1)


def sign_in(client, email: str, password: str):
    """Post the sign-in form with a valid CSRF token."""
    return client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": csrf_token(client)}
    )


def test_sign_in_form_is_shown(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(r'<label class="govuk-label" for="email">\s*Email address\s*</label>', page)
    assert 'type="password"' in page and 'name="csrf_token"' in page


def test_officer_signs_in_and_sees_their_name_and_authority(client, session):
    authority = make_authority(session, name="Testshire District Council")
    user = make_user(session, name="Alex Example", authority_id=authority.id)
    response = sign_in(client, user.email, OFFICER_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "</span>Alex Example, Testshire District Council" in page


def test_home_page_offers_sign_in_when_signed_out(client):
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'href="/sign-in"' in page and "data-officer-authority" not in page


def test_wrong_password_is_refused_with_the_shared_message(client, session):
    user = make_user(session)
    response = sign_in(client, user.email, "not the password")
    assert response.status_code == 200
    assert REFUSAL in response.get_data(as_text=True)
    assert "data-officer-authority" not in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_unknown_email_gets_the_same_message(client):
    assert REFUSAL in sign_in(client, "nobody@council.example", OFFICER_PASSWORD).get_data(as_text=True)


def test_empty_form_names_the_missing_fields(client):
    page = sign_in(client, "", "").get_data(as_text=True)
    assert "Enter your email address" in page and "Enter your password" in page


def test_repeated_failures_do_not_lock_the_account(client, session):
    user = make_user(session)
    for _ in range(5):  # the old lockout's limit
        sign_in(client, user.email, "not the password")
    assert sign_in(client, user.email, OFFICER_PASSWORD).status_code == 302
    assert "data-officer-authority" in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_sign_in_without_csrf_token_is_refused(client, session):
    user = make_user(session)
    client.get("/sign-in")
    response = client.post("/sign-in", data={"email": user.email, "password": OFFICER_PASSWORD})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "CSRF" in response.get_data(as_text=True)
    assert "data-officer-authority" not in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_sign_in_with_another_sessions_csrf_token_is_refused(app, client, session):
    user = make_user(session)
    stolen = csrf_token(app.test_client())
    client.get("/sign-in")
    response = client.post(
        "/sign-in", data={"email": user.email, "password": OFFICER_PASSWORD, "csrf_token": stolen}
    )
    assert response.status_code == 400


def test_sign_out_ends_the_session(client, session):
    user = make_user(session, name="Alex Example")
    sign_in(client, user.email, OFFICER_PASSWORD)
    response = client.post("/sign-out", data={"csrf_token": csrf_token(client, "/dashboard")})
    assert response.status_code == 302
    assert "data-officer-authority" not in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_sign_out_without_csrf_token_is_refused(client, session):
    user = make_user(session, name="Alex Example")
    sign_in(client, user.email, OFFICER_PASSWORD)
    assert client.post("/sign-out").status_code == 400
    assert "</span>Alex Example," in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_deactivated_officer_is_signed_out(client, session):
    user = make_user(session)
    sign_in(client, user.email, OFFICER_PASSWORD)
    user.active = False
    session.add(user)
    session.commit()
    assert "data-officer-authority" not in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_session_cookie_is_http_only_and_same_site_lax(client):
    cookie = client.get("/sign-in").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_secure_in_production():
    app = create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": TEST_SECRET,
            "DATABASE_URL": "postgresql+psycopg://db/unused",
        }
    )
    cookie = app.test_client().get("/sign-in", base_url="https://localhost").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    app.extensions["crosscheck.engine"].dispose()


def test_unknown_page_gets_an_html_error_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in response.get_data(as_text=True)


def test_cli_creates_an_officer_who_can_sign_in(app, client, session):
    # Without --password the command prints a set-password link (tests/app/test_password_links.py).
    make_authority(session, code="E07000026", name="Allerdale Borough Council")
    args = ["users", "create", "--email", "new@council.example", "--name", "New Officer"]
    args += ["--role", "manager", "--authority", "E07000026"]
    password = "typed-in-secret-1234"
    result = app.test_cli_runner().invoke(args=[*args, "--password", password])
    assert result.exit_code == 0, result.output
    assert "Created manager new@council.example" in result.output
    assert sign_in(client, "new@council.example", password).status_code == 302
    assert session.get(User, 1).role == "manager"


def test_cli_refuses_a_short_password_and_exits_non_zero(app, session):
    authority = make_authority(session)
    args = ["users", "create", "--email", "a@council.example", "--name", "A", "--role", "officer"]
    result = app.test_cli_runner().invoke(args=[*args, "--authority", authority.code, "--password", "short"])
    assert result.exit_code != 0
    assert "password" in result.output


def test_signing_in_lands_on_the_dashboard_and_home_sends_a_signed_in_officer_there(client, session):
    user = make_user(session, name="Dana Dashboard")
    response = client.post(
        "/sign-in",
        data={
            "email": user.email,
            "password": OFFICER_PASSWORD,
            "csrf_token": csrf_token(client, "/sign-in"),
        },
    )
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/").headers["Location"] == "/dashboard"
    page = client.get("/dashboard").get_data(as_text=True)
    assert "<h1" in page and "Dashboard" in page and "</span>Dana Dashboard," in page
