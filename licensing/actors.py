"""Who is acting: an officer, a machine client, or the system itself."""

from dataclasses import dataclass, field

from licensing.errors import Forbidden


@dataclass(frozen=True)
class Actor:
    """The caller of a service, with the one organisation it acts for."""

    kind: str  # "user", "api_client", "system" or "cli"
    id: int | None
    label: str
    authority_id: int | None = None
    police_force_id: int | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    role: str | None = None
    # After a reorganisation: the predecessor authorities whose records this council now answers for as
    # its own, and the split predecessors some of whose licences were placed with it
    # (licensing.reference.reorganisation fills both when the actor is authenticated).
    answers_for: frozenset[int] = field(default_factory=frozenset)
    assigned_from: frozenset[int] = field(default_factory=frozenset)

    def require_scope(self, scope: str) -> None:
        """Raise Forbidden unless the actor holds `scope`."""
        if scope not in self.scopes:
            raise Forbidden(f"This action needs the '{scope}' scope.")

    @property
    def authority_ids(self) -> tuple[int, ...]:
        """Return the actor's authority and every predecessor it answers for, in id order."""
        own = set() if self.authority_id is None else {self.authority_id}
        return tuple(sorted(own | self.answers_for))

    def answers(self, authority_id: int | None) -> bool:
        """Tell whether records made by `authority_id` are this actor's council's own (or a predecessor's)."""
        return authority_id is not None and (
            authority_id == self.authority_id or authority_id in self.answers_for
        )

    def require_authority(self) -> int:
        """Return the actor's authority id, or raise Forbidden for non-council actors."""
        if self.authority_id is None:
            raise Forbidden("Only a licensing authority can do this.")
        return self.authority_id


SYSTEM = Actor(kind="system", id=None, label="system", scopes=frozenset({"admin"}))


def cli_actor(command: str) -> Actor:
    """Return the actor for an operator running a CLI command."""
    return Actor(kind="cli", id=None, label=f"cli:{command}", scopes=frozenset({"admin"}))
