"""Wait until the configured database accepts a connection, so a migration job started beside it works.

Compose starts the migration once PostgreSQL's container runs, which may be before it accepts
connections (podman-compose waits for health only with podman 4.6 or later); a
Kubernetes Job would retry, but waiting here keeps its log to one clean run. Gives up after the seconds
given as the argument (default 60) with one line, never the URL (it holds the password). With 0 it checks
once: the schedulers' readiness probe (deploy/k8s/scheduler.yaml).
"""

import sys
import time

from sqlalchemy import create_engine, text

from app.config import load_config


def main(seconds: float) -> int:
    """Return 0 once `SELECT 1` answers, 1 when `seconds` run out."""
    deadline = time.monotonic() + seconds
    url = load_config()["DATABASE_URL"]
    # A host that drops packets would hold each attempt for the driver's default (minutes).
    engine = create_engine(url, connect_args={"connect_timeout": 5} if url.startswith("postgresql") else {})
    while True:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return 0
        except Exception as error:  # any driver error: not reachable yet
            if time.monotonic() >= deadline:
                print(f"database not reachable: {type(error).__name__}", file=sys.stderr)
                return 1
            time.sleep(1)


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]) if len(sys.argv) > 1 else 60))
