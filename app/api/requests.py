"""s.3 information requests between the searching council and the council that recorded an entry."""

from flask import current_app, g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app import db
from app.api.conventions import page_body, page_of, page_query, versioned
from app.api.fields import UtcDateTime
from app.auth import require_scope
from app.config import working_calendar
from licensing.clock import utcnow
from licensing.persistence.db import MAX_ID
from licensing.persistence.models.workflows import REQUEST_STATUSES
from licensing.workflows import information_requests as requests

blp = Blueprint(
    "information_requests", __name__, url_prefix="/api/v1", description="s.3 requests for the reasons"
)
ID_RANGE = validate.Range(min=1, max=MAX_ID)
SHA256 = r"^[0-9a-f]{64}$"
MEDIA_TYPE = r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$"


class RequestInSchema(Schema):
    """A written request for the information the recording council relied on."""

    register_entry_id = fields.Integer(
        required=True,
        strict=True,
        validate=ID_RANGE,
        metadata={"description": "An entry your screenings found"},
    )
    application_id = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=ID_RANGE, metadata={"description": "Yours"}
    )
    request_text = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class AttachmentSchema(Schema):
    """An attachment's metadata; the file itself travels by the councils' own secure route."""

    filename = fields.String(required=True, validate=validate.Length(min=1, max=255))
    media_type = fields.String(required=True, validate=validate.Regexp(MEDIA_TYPE))
    size = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=2**40))
    sha256 = fields.String(required=True, validate=validate.Regexp(SHA256))


class ResponseInSchema(Schema):
    """The recording council's answer."""

    response_text = fields.String(required=True, validate=validate.Length(min=1, max=100_000))
    attachments = fields.List(
        fields.Nested(AttachmentSchema), load_default=list, validate=validate.Length(max=50)
    )


class RequestQuerySchema(page_query("information_requests", requests.PAGE_KEY_TYPES)):
    """Which requests to list."""

    direction = fields.String(
        load_default="incoming",
        validate=validate.OneOf(requests.DIRECTIONS),
        metadata={"description": "incoming: to answer; outgoing: made by you"},
    )
    status = fields.String(
        validate=validate.OneOf(requests.LIST_STATUSES),
        metadata={"description": "overdue: open and past its due date"},
    )


class ExchangeCouncilSchema(Schema):
    """A licensing authority."""

    code = fields.String()
    name = fields.String()


class RequestSchema(Schema):
    """A request and, once given, its answer; only the two councils concerned see it."""

    id = fields.Integer()
    register_entry_id = fields.Integer()
    application_id = fields.Integer(allow_none=True)
    requesting_authority = fields.Nested(ExchangeCouncilSchema)
    recording_authority = fields.Nested(ExchangeCouncilSchema)
    request_text = fields.String()
    status = fields.String(metadata={"enum": list(REQUEST_STATUSES)})
    requested_at = UtcDateTime()
    due_on = fields.Date(metadata={"description": "20 working days after the request (s.3(3))"})
    overdue = fields.Boolean()
    response_text = fields.String(
        allow_none=True, metadata={"description": "Null until answered, and again once deleted"}
    )
    attachments = fields.List(fields.Nested(AttachmentSchema))
    responded_at = UtcDateTime(allow_none=True)
    answered_in_time = fields.Boolean(allow_none=True)
    received_deleted = fields.Boolean(
        metadata={"description": "Answered, and the answer deleted once the application was decided"}
    )


@blp.route("/information-requests")
class Requests(MethodView):
    """Requests the caller's authority made or must answer."""

    @require_scope("council:read")
    @blp.arguments(RequestQuerySchema, location="query")
    @blp.response(200, page_of(RequestSchema))
    def get(self, args):
        """List incoming or outgoing requests by due date, a page at a time."""
        today = utcnow().date()
        page = requests.list_requests(db.session(), g.actor, today=today, **args)
        return page_body(
            "information_requests", page, [requests.describe(db.session(), r, today) for r in page.items]
        )

    @require_scope("council:write")
    @blp.arguments(RequestInSchema)
    @blp.response(201, RequestSchema)
    def post(self, data):
        """Ask the recording council for what it relied on; 404 unless your screenings found the entry."""
        now = utcnow()
        calendar = working_calendar(current_app.config)
        request = requests.request_information(db.session(), g.actor, data, now, calendar)
        location = url_for("information_requests.Request", request_id=request.id)
        return requests.describe(db.session(), request, now.date()), 201, {"Location": location}


@blp.route("/information-requests/<int:request_id>")
class Request(MethodView):
    """One request, seen by the council that made it or must answer it."""

    @require_scope("council:read")
    @versioned(requests.visible_request, "request_id")
    @blp.response(200, RequestSchema)
    def get(self, request_id):
        """Show a request and its answer."""
        request = requests.visible_request(db.session(), g.actor, request_id)
        return requests.describe(db.session(), request, utcnow().date())


@blp.route("/information-requests/<int:request_id>/respond")
class Response(MethodView):
    """The recording council's answer."""

    @require_scope("council:write")
    @blp.arguments(ResponseInSchema)
    @versioned(requests.visible_request, "request_id")
    @blp.response(200, RequestSchema)
    def post(self, data, request_id):
        """Answer a request once, with text and the attachments' metadata; 409 when already answered."""
        now = utcnow()
        request = requests.respond(db.session(), g.actor, request_id, **data, now=now)
        return requests.describe(db.session(), request, now.date())
