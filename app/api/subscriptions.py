"""A council's alert subscriptions: webhook endpoints (secret shown once, rotatable) and e-mail recipients."""

from flask import current_app, g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app import db
from app.api.conventions import ChangeSchema, StrictBoolean
from app.api.fields import UtcDateTime
from app.auth import require_scope
from licensing.alerts import subscriptions
from licensing.alerts.outbox import ALERT_TYPES
from licensing.clock import utcnow
from licensing.persistence.models import EmailRecipient, WebhookEndpoint

blp = Blueprint("subscriptions", __name__, url_prefix="/api/v1", description="Where alerts are sent")


class EndpointInSchema(Schema):
    """A receiver to add: https only outside development; no private or loopback hosts."""

    url = fields.String(required=True, validate=validate.Length(min=1, max=500))
    alert_types = fields.List(
        fields.String(validate=validate.OneOf(ALERT_TYPES)), required=True, validate=validate.Length(min=1)
    )


class EndpointChangeSchema(ChangeSchema):
    """Fields of an endpoint that can change."""

    url = fields.String(validate=validate.Length(min=1, max=500))
    alert_types = fields.List(
        fields.String(validate=validate.OneOf(ALERT_TYPES)), validate=validate.Length(min=1)
    )
    active = StrictBoolean()


class RecipientInSchema(Schema):
    """An e-mail address to receive thin alert e-mails."""

    email_address = fields.Email(required=True, validate=validate.Length(max=320))
    alert_types = fields.List(
        fields.String(validate=validate.OneOf(ALERT_TYPES)), required=True, validate=validate.Length(min=1)
    )


class RecipientChangeSchema(ChangeSchema):
    """Fields of a recipient that can change."""

    alert_types = fields.List(
        fields.String(validate=validate.OneOf(ALERT_TYPES)), validate=validate.Length(min=1)
    )
    active = StrictBoolean()


class EndpointSchema(Schema):
    """A webhook endpoint; its secret is never shown again after creation or rotation."""

    id = fields.Integer()
    url = fields.String()
    alert_types = fields.List(fields.String())
    active = fields.Boolean()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class EndpointWithSecretSchema(EndpointSchema):
    """An endpoint with its new signing secret: store it now, it is shown only this once."""

    secret = fields.String(metadata={"description": "Standard Webhooks secret, whsec_<base64>"})


class RecipientSchema(Schema):
    """An e-mail recipient."""

    id = fields.Integer()
    email_address = fields.String()
    alert_types = fields.List(fields.String())
    active = fields.Boolean()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


def url_rules() -> dict:
    """Return the SSRF rule's switches for this environment."""
    allow_http = current_app.config["ENV_NAME"] in ("development", "testing")
    return {"allow_http": allow_http, "allow_private": bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE"))}


@blp.route("/webhook-endpoints")
class Endpoints(MethodView):
    """The council's webhook endpoints."""

    @require_scope("council:read")
    @blp.response(200, EndpointSchema(many=True))
    def get(self):
        """List the endpoints, oldest first."""
        return subscriptions.list_subscriptions(db.session(), g.actor)[0]

    @require_scope("council:write")
    @blp.arguments(EndpointInSchema)
    @blp.response(201, EndpointWithSecretSchema)
    def post(self, data):
        """Add an endpoint; the response holds its secret, shown only this once."""
        endpoint, secret = subscriptions.add_webhook(
            db.session(), g.actor, data["url"], data["alert_types"], utcnow(), **url_rules()
        )
        location = url_for("subscriptions.Endpoint", endpoint_id=endpoint.id)
        return _with_secret(endpoint, secret), 201, {"Location": location}


@blp.route("/webhook-endpoints/<int:endpoint_id>")
class Endpoint(MethodView):
    """One webhook endpoint of the caller's council."""

    @require_scope("council:read")
    @blp.response(200, EndpointSchema)
    def get(self, endpoint_id):
        """Show an endpoint (never its secret)."""
        return subscriptions.own(db.session(), g.actor, WebhookEndpoint, endpoint_id)

    @require_scope("council:write")
    @blp.arguments(EndpointChangeSchema)
    @blp.response(200, EndpointSchema)
    def patch(self, data, endpoint_id):
        """Change the URL, alert types or active flag."""
        return subscriptions.change(
            db.session(), g.actor, WebhookEndpoint, endpoint_id, data, utcnow(), **url_rules()
        )

    @require_scope("council:write")
    @blp.response(204)
    def delete(self, endpoint_id):
        """Delete the endpoint: nothing more is sent to it, and it is gone from the API for good."""
        subscriptions.delete(db.session(), g.actor, WebhookEndpoint, endpoint_id, utcnow())


@blp.route("/webhook-endpoints/<int:endpoint_id>/rotate-secret")
class SecretRotation(MethodView):
    """A new signing secret for an endpoint; the old one still signs for 24 hours."""

    @require_scope("council:write")
    @blp.response(200, EndpointWithSecretSchema)
    def post(self, endpoint_id):
        """Rotate the secret; the response holds the new one, shown only this once."""
        endpoint, secret = subscriptions.rotate_secret(db.session(), g.actor, endpoint_id, utcnow())
        return _with_secret(endpoint, secret)


@blp.route("/email-recipients")
class Recipients(MethodView):
    """The council's e-mail recipients."""

    @require_scope("council:read")
    @blp.response(200, RecipientSchema(many=True))
    def get(self):
        """List the recipients, oldest first."""
        return subscriptions.list_subscriptions(db.session(), g.actor)[1]

    @require_scope("council:write")
    @blp.arguments(RecipientInSchema)
    @blp.response(201, RecipientSchema)
    def post(self, data):
        """Add a recipient."""
        recipient = subscriptions.add_email(
            db.session(), g.actor, data["email_address"], data["alert_types"], utcnow()
        )
        return recipient, 201, {"Location": url_for("subscriptions.Recipient", recipient_id=recipient.id)}


@blp.route("/email-recipients/<int:recipient_id>")
class Recipient(MethodView):
    """One e-mail recipient of the caller's council."""

    @require_scope("council:read")
    @blp.response(200, RecipientSchema)
    def get(self, recipient_id):
        """Show a recipient."""
        return subscriptions.own(db.session(), g.actor, EmailRecipient, recipient_id)

    @require_scope("council:write")
    @blp.arguments(RecipientChangeSchema)
    @blp.response(200, RecipientSchema)
    def patch(self, data, recipient_id):
        """Change the alert types or active flag."""
        return subscriptions.change(db.session(), g.actor, EmailRecipient, recipient_id, data, utcnow())

    @require_scope("council:write")
    @blp.response(204)
    def delete(self, recipient_id):
        """Delete the recipient: nothing more is sent to it, and it is gone from the API for good."""
        subscriptions.delete(db.session(), g.actor, EmailRecipient, recipient_id, utcnow())


def _with_secret(endpoint: WebhookEndpoint, secret: str) -> dict:
    """Return the endpoint's fields with its freshly made secret."""
    return endpoint.model_dump() | {"secret": secret}
