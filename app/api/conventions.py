"""Conventions every API v1 endpoint follows: ETag/If-Match, Idempotency-Key, and the local docs page.

ETag / If-Match: a resource that can change (application, licence, register entry, information request,
concern report, a force's intelligence item) carries a strong ETag naming the version of its stored
record, on its GET and on every successful change. A change (POST action or PUT) sent with `If-Match`
is refused with 412 when the tag is not the current one; without `If-Match` it is done unconditionally.
The record is locked from the check to the change's commit, so the check and the change cannot be
interleaved with another writer. Conditional GETs (If-None-Match) are not offered: the tag versions the
record, and some representations also show related rows (an application's latest screening).

Idempotency-Key: any POST under /api/v1 may carry one (1 to 255 visible ASCII characters). The first
response to a client's key is kept for 24 hours and replayed, with `Idempotent-Replayed: true`, to a
retry with the same method, path and body; the same key with another request is refused with 422, and a
retry while the first is still running with 409. The work and the kept response are committed together,
so a request cut short (its process killed) leaves nothing behind: once the request's time limit
(REQUEST_TIMEOUT_SECONDS, 60 s) has passed, a retry does the work. A 5xx is never kept and its work is
undone, so a retry after one does the work too.

Pagination: every list takes `limit` (1 to 200, default 50) and `cursor`, and answers
`{"items": [...], "next_cursor": ...}`. To walk a list, send the `next_cursor` of one page as the `cursor`
of the next until it is null; each item appears exactly once even while records are added. A cursor is
opaque and belongs to its list: one that list did not give out is refused with 422.

Docs: Swagger UI at /api/v1/docs, its scripts served by the app itself from the pinned swagger-ui-bundle
package, so the page works without any outside host.
"""

import hashlib
import json
from datetime import timedelta
from functools import wraps

import swagger_ui_bundle
from flask import Blueprint, Flask, Response, current_app, g, request, send_from_directory
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from werkzeug.exceptions import PreconditionFailed

from app import db, errors
from licensing.access import idempotency
from licensing.clock import utcnow
from licensing.errors import NotFound, ValidationFailed
from licensing.persistence import pages

IDEMPOTENCY_HEADER = idempotency.KEY_FIELD
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("Content-Type", "Location", "ETag")
DOCS_ASSETS = "/api/v1/docs/assets"
IF_MATCH_DOC = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag last read; a stale one is refused with 412. Leave it out to change regardless.",
}
NEXT_CURSOR = "Send as `cursor` for the next page; null at the end"
STALE = "The resource has changed since you read it; read it again and retry with its new ETag."


class Cursor(fields.String):
    """An opaque cursor of one list, loaded as the key of the position it names."""

    def __init__(self, list_name: str, types: tuple[type, ...], **kwargs):
        """Read cursors of `list_name` whose keys hold values of `types`."""
        description = "The next_cursor of the previous page; leave it out for the first page"
        super().__init__(validate=validate.Length(max=500), metadata={"description": description}, **kwargs)
        self.list_name, self.types = list_name, types

    def _deserialize(self, value, attr, data, **kwargs):
        """Return the key the cursor names; a cursor this list did not give out is a validation error."""
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return pages.decode_cursor(self.list_name, text, self.types)
        except pages.BadCursor as error:
            raise ValidationError(str(error)) from None


class StrictBoolean(fields.Boolean):
    """A JSON true or false and nothing else: marshmallow would also take 1, 0, "yes" or "on", which the
    document (type boolean) does not allow and a client sending them has most likely got wrong."""

    def _deserialize(self, value, attr, data, **kwargs):
        """Return the boolean sent; any other value is a validation error."""
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class ChangeSchema(Schema):
    """The fields of a record that a PATCH may change: a body that changes nothing is refused with 422."""

    min_properties = 1  # documented as minProperties by app.api.openapi

    @validates_schema
    def changes_something(self, data, **kwargs):
        """Refuse an empty change, which would otherwise answer 200 having done nothing."""
        if not data:
            raise ValidationError(f"Nothing to change: send at least one of {', '.join(self.fields)}.")


def page_query(list_name: str, types: tuple[type, ...] = (int,)) -> type[Schema]:
    """Return the query schema of a page of `list_name`: `cursor` (loaded as `after`) and `limit`."""
    return Schema.from_dict(
        {
            "after": Cursor(list_name, types, data_key="cursor", load_default=None),
            "limit": fields.Integer(
                load_default=pages.DEFAULT_LIMIT, validate=validate.Range(min=1, max=pages.MAX_LIMIT)
            ),
        },
        name=f"{list_name.title().replace('_', '')}PageQuerySchema",
    )


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """Return the schema of a page of `item_schema` items, named after them in the OpenAPI document."""
    name = item_schema.__name__.removesuffix("Schema")
    return type(
        f"{name}PageSchema",
        (Schema,),
        {
            "__doc__": f"A page of {name} items and the cursor of the next page.",
            "items": fields.List(fields.Nested(item_schema)),
            "next_cursor": fields.String(allow_none=True, metadata={"description": NEXT_CURSOR}),
        },
    )


def page_body(list_name: str, page: pages.Page, items: list | None = None) -> dict:
    """Return the body of a page: its items (or `items` made from them) and the next page's cursor."""
    return {
        "items": page.items if items is None else items,
        "next_cursor": pages.encode_cursor(list_name, page.next_key),
    }


def etag_of(record) -> str:
    """Return the strong entity tag of a stored record's current version."""
    values = json.dumps(record.model_dump(), sort_keys=True, default=str)
    return hashlib.sha256(f"{record.__tablename__}:{values}".encode()).hexdigest()[:32]


def versioned(find, id_arg: str, *, creates: bool = False):
    """Decorate a view of one record found by `find(session, actor, kwargs[id_arg])` with ETag/If-Match.

    Put it below @blp.arguments: a request that fails validation is refused as such (422), whatever its
    If-Match says. A view that `creates` the record when it is missing answers 412 to an If-Match sent
    for it (there is no current version); any other view answers 404, as it would without If-Match.
    """

    def decorator(view):
        @wraps(view)
        def checked(*args, **kwargs):
            if request.method != "GET":
                _check_if_match(find, kwargs[id_arg], creates)
            response = view(*args, **kwargs)
            if _shows_target(response):
                response.set_etag(etag_of(find(db.session(), g.actor, kwargs[id_arg])))
            return response

        if checked.__name__ == "get":
            return checked
        return ApiBlueprint.doc(parameters=[IF_MATCH_DOC])(checked)

    return decorator


def _check_if_match(find, record_id, creates: bool) -> None:
    """Refuse with 412 unless If-Match, when sent, names the record's current version (then locked)."""
    if not request.if_match:
        return
    session = db.session()
    try:
        record = find(session, g.actor, record_id)
    except NotFound:
        if creates:  # it would be created: If-Match names a version that does not exist
            raise PreconditionFailed(STALE) from None
        raise
    session.refresh(record, with_for_update=True)
    if not request.if_match.contains(etag_of(record)):
        raise PreconditionFailed(STALE)


def _shows_target(response: Response) -> bool:
    """Tell whether a successful response represents the record itself, not a record it created."""
    if not 200 <= response.status_code < 300:
        return False
    location = response.headers.get("Location")
    return response.status_code != 201 or location is None or location.endswith(request.path)


def replay_idempotent() -> Response | None:
    """Replay the kept response to this client's Idempotency-Key, or claim the key for this request."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if request.method != "POST" or key is None or g.actor.kind != "api_client":
        return None
    _check_key(key)
    body = request.get_data()
    fingerprint = idempotency.fingerprint(request.method, request.full_path, body)
    now, limit = utcnow(), timedelta(seconds=float(current_app.config["REQUEST_TIMEOUT_SECONDS"]))
    kept = idempotency.claim(db.session(), g.actor.id, key, fingerprint, now, limit)
    if kept is None:
        g.idempotency_claim = (key, now)
        db.end_unit()  # the claim is committed before the work starts: a retry meanwhile finds it
        idempotency.begin(db.session(), g.actor.id, key, now)  # the work's unit holds the claim to its end
        return None
    response = Response(kept.body, status=kept.status_code, headers=kept.headers)
    response.headers[REPLAYED_HEADER] = "true"
    return response


def keep_idempotent(response: Response) -> Response:
    """Keep the response of a request that claimed an Idempotency-Key in its work's unit (none after a 5xx).

    The request's unit then commits the work and its kept response together (app/db.py). An error
    response's work was undone by app/errors.py before it was made: only the response is kept.
    """
    claimed = g.pop("idempotency_claim", None)
    if claimed is None:
        return response
    key, claimed_at = claimed
    if response.status_code >= 500:
        db.undo()  # nothing half-written: the work goes, and the claim is given up for a retry to do it
        idempotency.release(db.session(), g.actor.id, key, claimed_at)
        return response
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    kept = (response.status_code, response.get_data(as_text=True), headers)
    if not idempotency.keep(db.session(), g.actor.id, key, claimed_at, kept):
        db.undo()  # a retry took the claim over after our time limit: it does the work
        return errors.handle_domain_error(idempotency.KeyInUse(idempotency.STILL_RUNNING))
    return response


def _check_key(key: str) -> None:
    """Refuse an Idempotency-Key that is empty, too long or not visible ASCII with 422."""
    if 1 <= len(key) <= 255 and all("!" <= c <= "~" for c in key):
        return
    message = "Between 1 and 255 visible ASCII characters."
    raise ValidationFailed(
        "The Idempotency-Key is not valid.", [{"field": IDEMPOTENCY_HEADER, "message": message}]
    )


def init_docs(app: Flask) -> None:
    """Serve Swagger UI at /api/v1/docs from the app's own copy of its scripts."""
    app.config.setdefault("API_SPEC_OPTIONS", {"info": {"description": __doc__}})
    app.config.setdefault("OPENAPI_SWAGGER_UI_PATH", "docs")
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", f"{DOCS_ASSETS}/")
    # Swagger UI would otherwise send the document to validator.swagger.io for a badge.
    app.config.setdefault("OPENAPI_SWAGGER_UI_CONFIG", {"validatorUrl": None})
    assets = Blueprint("api_docs_assets", __name__)
    assets.add_url_rule(f"{DOCS_ASSETS}/<path:filename>", view_func=_docs_asset)
    app.register_blueprint(assets)


def _docs_asset(filename: str) -> Response:
    """Send one of Swagger UI's files."""
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
