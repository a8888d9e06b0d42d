"""Security headers on every response, set by one after_request hook.

- Content-Security-Policy: scripts, styles, images and fonts only from this service (and data: images),
  no inline code except the scripts carrying this response's nonce (GOV.UK Frontend's one-line
  `js-enabled` script and Swagger UI's start-up script), no plugins, no <base>, forms post only here,
  and no framing.
- X-Frame-Options: DENY, for browsers older than CSP's frame-ancestors.
- Strict-Transport-Security in production: after one visit over HTTPS a browser never tries plain HTTP.
- X-Content-Type-Options: nosniff, so an uploaded CSV or an SVG is never run as a script or page.
- Referrer-Policy: same-origin. Links out (GOV.UK, the footer) must not carry a public check's badge
  number in the Referer; "no-referrer" would go further but Flask-WTF checks the Referer of every form
  posted over HTTPS, so this service's own pages keep sending it to itself.
- Cache-Control: no-store unless the view chose otherwise: officer pages and API answers hold personal
  data, which must not stay in a shared computer's browser cache or a proxy. Only static assets, Swagger
  UI's files and a badge's QR code say they may be cached.

A hook and not flask-talisman: Talisman's last release (1.1.0) is from 2023, it redirects to HTTPS by
default (the TLS-terminating proxy and the /healthz probes speak plain HTTP to us), it has no
Cache-Control policy, and its nonce would still need passing to GOV.UK's template as `cspNonce`; the
headers themselves are fixed strings.
"""

import secrets

from flask import Flask, Response, current_app, g

CSP_NONCE_BYTES = 16
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'nonce-{nonce}'",
        "style-src 'self'",
        "img-src 'self' data:",  # Swagger UI's stylesheet draws its arrows as data: SVGs; no script runs
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"  # a year, the floor of browsers' preload lists
FIXED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    """Add the security headers to every response and give templates this response's nonce."""
    app.after_request(add_security_headers)
    app.context_processor(lambda: {"cspNonce": csp_nonce()})


def csp_nonce() -> str:
    """Return this request's script nonce, making it on first use (a page or the headers)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(CSP_NONCE_BYTES)
    return g.csp_nonce


def add_security_headers(response: Response) -> Response:
    """Set the policy headers; keep a Cache-Control the view chose, else forbid storing the answer."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.format(nonce=csp_nonce())
    response.headers.update(FIXED_HEADERS)
    if current_app.config["ENV_NAME"] == "production":
        response.headers["Strict-Transport-Security"] = HSTS
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response
