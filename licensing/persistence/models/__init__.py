"""Every table of the register, importable from one place."""

from licensing.persistence.models._base import Identity
from licensing.persistence.models.alerts import Alert, Delivery
from licensing.persistence.models.audit import AuditEvent, AuditHead
from licensing.persistence.models.intelligence import Intelligence, IntelligenceRoute
from licensing.persistence.models.organisations import ApiClient, Authority, PoliceForce, User
from licensing.persistence.models.records import (
    Application,
    Licence,
    LicenceStatusChange,
    RegisterEntry,
    RegisterEntryChange,
)
from licensing.persistence.models.screening import (
    MatchKey,
    NameCount,
    RecordKeys,
    Screening,
    ScreeningCandidate,
)
from licensing.persistence.models.workflows import ConcernReport, InformationRequest

__all__ = [
    "Alert",
    "ApiClient",
    "Application",
    "AuditEvent",
    "AuditHead",
    "Authority",
    "ConcernReport",
    "Delivery",
    "Identity",
    "InformationRequest",
    "Intelligence",
    "IntelligenceRoute",
    "Licence",
    "LicenceStatusChange",
    "MatchKey",
    "NameCount",
    "PoliceForce",
    "RecordKeys",
    "RegisterEntry",
    "RegisterEntryChange",
    "Screening",
    "ScreeningCandidate",
    "User",
]

from licensing.persistence.models.decisions import AdverseDecision, PairDecision

__all__ += ["AdverseDecision", "PairDecision"]

from licensing.persistence.models.idempotency import IdempotentResponse  # noqa: E402  (appended registration)

__all__ += ["IdempotentResponse"]

from licensing.persistence.models.subscriptions import EmailRecipient, WebhookEndpoint  # noqa: E402

__all__ += ["EmailRecipient", "WebhookEndpoint"]

from licensing.persistence.models.signin import IdentityLink, IdentityProvider, RecoveryCode, SecondFactor  # noqa: E402

__all__ += ["IdentityLink", "IdentityProvider", "RecoveryCode", "SecondFactor"]

from licensing.persistence.models.reorganisation import AuthorityChange, LicenceAssignment  # noqa: E402

__all__ += ["AuthorityChange", "LicenceAssignment"]

from licensing.persistence.models.screening import BulkScreeningJob  # noqa: E402

__all__ += ["BulkScreeningJob"]
