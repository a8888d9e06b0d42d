"""Named domain errors; one place in app/ maps them to HTTP."""


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    title = "Request could not be completed"

    def __init__(self, detail: str, errors: list[dict] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFound(DomainError):
    """The record does not exist, or the actor may not know that it exists."""

    title = "Not found"


class Forbidden(DomainError):
    """The actor is known but may not do this."""

    title = "Forbidden"


class Unauthenticated(DomainError):
    """No valid credentials were presented."""

    title = "Unauthorized"


class InvalidTransition(DomainError):
    """The record's current state does not allow this change."""

    title = "Conflict"


class DuplicateReference(DomainError):
    """A reference that must be unique is already taken."""

    title = "Conflict"


class ValidationFailed(DomainError):
    """Input values break a domain rule; `errors` lists {field, message}."""

    title = "Validation failed"
