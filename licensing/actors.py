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

    def require_scope(self, scope: str) -> None:
        """Raise Forbidden unless the actor holds `scope`."""
        if scope not in self.scopes:
            raise Forbidden(f"This action needs the '{scope}' scope.")

    def require_authority(self) -> int:
        """Return the actor's authority id, or raise Forbidden for non-council actors."""
        if self.authority_id is None:
            raise Forbidden("Only a licensing authority can do this.")
        return self.authority_id


SYSTEM = Actor(kind="system", id=None, label="system", scopes=frozenset({"admin"}))


def cli_actor(command: str) -> Actor:
    """Return the actor for an operator running a CLI command."""
    return Actor(kind="cli", id=None, label=f"cli:{command}", scopes=frozenset({"admin"}))
