"""Delivery engine benchmark: deliveries per second to a loopback receiver, and event -> delivery p99.

    python -m bench.deliveries --database-url sqlite:////tmp/bench-deliveries.db [--count 2000]
    python -m bench.deliveries --database-url postgresql+psycopg://postgres@127.0.0.1:5432/DB

The database is emptied and recreated. One real `python -m scheduler` process does the sending; the
receiver is a threaded HTTP server in this process. Synthetic alerts only, no personal data.
"""

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import select
from sqlmodel import SQLModel

import licensing.models  # noqa: F401  (registers every table)
from integrations.webhooks import new_secret
from licensing.alerts import raise_alert
from licensing.clock import utcnow
from licensing.db import make_engine, new_session
from licensing.models import Authority, Delivery, WebhookEndpoint

ALERT_TYPE = "register_entry.recorded"
received: dict[str, float] = {}


class Handler(BaseHTTPRequestHandler):
    """Record when each webhook-id first arrived; answer 204."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_POST(self):
        """Note the arrival and acknowledge."""
        self.rfile.read(int(self.headers.get("content-length", 0)))
        received.setdefault(self.headers["webhook-id"], time.monotonic())
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_args):
        """Stay quiet."""


def setup(url: str, receiver_url: str) -> tuple:
    """Recreate the schema; subscribe one authority's endpoint; return the engine and authority id."""
    engine = make_engine(url)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    with new_session(engine) as session:
        authority = Authority(code="E09999999", name="Bench Council", nation="england")
        session.add(authority)
        session.flush()
        now = utcnow()
        endpoint = WebhookEndpoint(
            authority_id=authority.id,
            url=receiver_url,
            secret=new_secret(),
            alert_types=[ALERT_TYPE],
            created_at=now,
            updated_at=now,
        )
        session.add(endpoint)
        session.commit()
        return engine, authority.id


def raise_alerts(engine, authority_id: int, count: int) -> dict[str, float]:
    """Raise `count` alerts in one transaction; return each delivery's message id -> time of commit."""
    with new_session(engine) as session:
        alerts = [
            raise_alert(
                session,
                authority_id=authority_id,
                alert_type=ALERT_TYPE,
                subject_kind="register_entry",
                subject_id=n + 1,
                now=utcnow(),
            )
            for n in range(count)
        ]
        session.flush()
        query = select(Delivery.message_id).where(Delivery.alert_id.in_([a.id for a in alerts]))
        ids = list(session.scalars(query))
        session.commit()
    committed = time.monotonic()
    return dict.fromkeys(ids, committed)


def wait_for(ids, timeout: float = 300.0) -> None:
    """Wait until every id in `ids` was received."""
    deadline = time.monotonic() + timeout
    while any(i not in received for i in ids):
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.05)


def p99(values: list[float]) -> float:
    """Return the 99th percentile of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> None:
    """Run the throughput and latency phases and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=20.0, help="alerts per second in the latency phase")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    engine, authority_id = setup(args.database_url, f"http://127.0.0.1:{server.server_address[1]}/hook")
    backlog = raise_alerts(engine, authority_id, args.count)
    env = os.environ | {
        "CROSSCHECK_ENV": "development",  # allows the loopback receiver; production refuses private addresses
        "DATABASE_URL": args.database_url,
        "LOG_LEVEL": "WARNING",
        "SCHEDULER_POLL_SECONDS": "0.5",
    }
    scheduler = subprocess.Popen([sys.executable, "-m", "scheduler"], env=env)
    try:
        wait_for(backlog)
        times = sorted(received[i] for i in backlog)
        rate = (len(times) - 1) / (times[-1] - times[0])
        latencies = []
        for _ in range(int(args.rate * 10)):
            sent = raise_alerts(engine, authority_id, 1)
            wait_deadline = time.monotonic() + 1 / args.rate
            latencies += [(i, t) for i, t in sent.items()]
            time.sleep(max(0.0, wait_deadline - time.monotonic()))
        wait_for([i for i, _ in latencies])
        delays = [received[i] - t for i, t in latencies]
    finally:
        scheduler.send_signal(signal.SIGTERM)
        scheduler.wait(timeout=60)
    print(f"database: {engine.dialect.name}; cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}")
    print(f"backlog of {args.count}: {rate:.0f} deliveries/s (first to last arrival, one scheduler)")
    print(
        f"event -> delivery at {args.rate:.0f}/s for 10 s: p50 {sorted(delays)[len(delays) // 2]:.2f} s, "
        f"p99 {p99(delays):.2f} s, max {max(delays):.2f} s"
    )


if __name__ == "__main__":
    main()
