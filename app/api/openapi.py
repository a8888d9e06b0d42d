"""What the OpenAPI document says beyond the schemas: every error an operation can answer, and minProperties.

flask-smorest documents each operation's success and its request schema's 422. The conventions every
operation follows (API keys, scopes, JSON bodies and their limits, Idempotency-Key, If-Match) add their
own answers, and services add business-rule 422s and 409s: DocumentedRules lists each under its status,
with what it means, on every operation it can happen to (`default` still covers the rest).
"""

from apispec import BasePlugin

from app.errors import PROBLEM_MEDIA_TYPE


class DocumentedRules(BasePlugin):
    """An apispec plugin documenting what the conventions add to each operation and schema.

    Every error an operation can answer is listed under its status (with `default` still covering the
    rest), so a client can see, for example, which operations check If-Match (412) or apply business
    rules beyond their schema (422). A schema class may declare `min_properties`.
    """

    def schema_helper(self, name, definition, **kwargs):
        """Add minProperties to the component of a schema that declares it."""
        schema = kwargs.get("schema")
        minimum = getattr(schema if isinstance(schema, type) else type(schema), "min_properties", None)
        return {"minProperties": minimum} if minimum else None

    def operation_helper(self, path=None, operations=None, **kwargs):
        """List, on each operation, every error response the conventions and services can give it."""
        rule = kwargs.get("rule")
        for method, operation in (operations or {}).items():
            inputs = Inputs(method.upper(), path or "", operation, rule.arguments if rule else set())
            responses = operation.setdefault("responses", {})
            for status, (description, applies) in ERROR_RESPONSES.items():
                # flask-smorest's own 422 (a bare reference, "Unprocessable Entity") is described anew
                documented = responses.get(status, responses.get(str(status)))
                if (documented is None or isinstance(documented, str)) and applies(inputs):
                    responses.pop(str(status), None)
                    responses[status] = {"description": description, "content": CONTENT.get(status, PROBLEM)}


class Inputs:
    """What one operation takes, as the error rules need it."""

    def __init__(self, method: str, path: str, operation: dict, path_arguments: set[str]):
        """Read the operation's method, body, parameters and authentication."""
        parameters = operation.get("parameters") or []
        self.method = method
        self.body = "requestBody" in operation
        self.query = any(p.get("in") == "query" for p in parameters if isinstance(p, dict))
        self.if_match = any(p.get("name") == "If-Match" for p in parameters if isinstance(p, dict))
        self.path_arguments = path_arguments
        self.text_path = "force_reference" in path_arguments  # the one path parameter that is free text
        self.authenticated = not path.startswith("/api/v1/public")
        self.scoped = "x-required-scope" in operation

    def validated(self) -> bool:
        """Tell whether anything the operation reads can fail validation (POST: the Idempotency-Key)."""
        return self.body or self.query or self.text_path or self.method == "POST"


PROBLEM = {PROBLEM_MEDIA_TYPE: {"schema": "Problem"}}
CONTENT = {414: {"text/html": {"schema": {"type": "string"}}}}
ERROR_RESPONSES = {
    400: ("The body is not JSON, not UTF-8, or nested more than 32 levels deep.", lambda i: i.body),
    401: ("No valid API key was sent (Authorization: Bearer).", lambda i: i.authenticated),
    403: (
        "The key lacks the scope this operation needs (x-required-scope), or its organisation may not do "
        "this to the record.",
        lambda i: i.scoped,
    ),
    404: ("No such record among those the caller may see.", lambda i: bool(i.path_arguments)),
    409: (
        "The record's state does not allow this, a reference is taken, or a request with the same "
        "Idempotency-Key is still being processed.",
        lambda i: i.method in ("POST", "PUT"),
    ),
    412: ("If-Match names a version that is no longer current: read the record again.", lambda i: i.if_match),
    413: ("The body is over the size limit (2 MiB).", lambda i: i.body),
    414: (
        "The URL is longer than the web server takes (gunicorn: 4,094 bytes in the request line). The "
        "server answers itself, with an HTML page, before the API sees the request.",
        lambda i: i.query or i.text_path,
    ),
    415: ("The body is not sent as application/json.", lambda i: i.body),
    422: (
        "Validation failed: a value breaks its schema or a business rule, text holds a NUL character or a "
        "lone surrogate, or the Idempotency-Key is malformed or was used for another request. `errors` "
        "lists each field.",
        lambda i: i.validated(),
    ),
}
