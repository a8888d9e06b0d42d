"""Delivery engine benchmark: deliveries per second to a loopback receiver, and event -> delivery p99.

    python -m bench.deliveries --database-url sqlite:////tmp/bench-deliveries.db [--count 2000]
    python -m bench.deliveries --database-url postgresql+psycopg://postgres@127.0.0.1:5432/DB
    python -m bench.deliveries --database-url URL --hanging-receiver [--hang 20] [--slow-count 150]

The database is emptied and recreated. One real `python -m scheduler` process does the sending; the
receivers are threaded HTTP servers in this process. Synthetic alerts only, no personal data.

With --hanging-receiver, one council's receiver answers only after --hang seconds (past the scheduler's
webhook timeout): --slow-count alerts go to it, then another council raises --fast-count alerts at
--fast-rate a second to its fast receiver, and the fast council's commit -> delivery times are reported.
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

import licensing.persistence.models  # noqa: F401  (registers every table)
from app.migrate import stamp
from integrations.webhooks import new_secret
from licensing.alerts.outbox import raise_alert
from licensing.clock import utcnow
from licensing.persistence import unit_of_work
from licensing.persistence.db import make_engine
from licensing.persistence.models import Authority, Delivery, WebhookEndpoint

ALERT_TYPE = "register_entry.recorded"
received: dict[str, float] = {}


HANG_SECONDS = 20.0


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


class HangingHandler(Handler):
    """A receiver in trouble: it reads the request and answers only after HANG_SECONDS."""

    def do_POST(self):
        """Count the request, hang, then acknowledge (the sender has usually given up by then)."""
        self.rfile.read(int(self.headers.get("content-length", 0)))
        hung.append(time.monotonic())
        time.sleep(HANG_SECONDS)
        try:
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()
        except OSError:
            pass


hung: list[float] = []


def serve(handler) -> str:
    """Start a threaded loopback server with `handler`; return its webhook URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/hook"


def setup(url: str, *receiver_urls: str) -> tuple:
    """Recreate the schema; subscribe one authority's endpoint per URL; return the engine and their ids."""
    engine = make_engine(url)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    stamp(url)  # the models' schema is head's; the scheduler refuses a database not marked at head
    ids = []
    with unit_of_work.writing(engine) as session:
        for n, receiver_url in enumerate(receiver_urls):
            authority = Authority(code=f"E0999999{n}", name=f"Bench Council {n}", nation="england")
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
            ids.append(authority.id)
    return engine, *ids


def raise_alerts(engine, authority_id: int, count: int) -> dict[str, float]:
    """Raise `count` alerts in one transaction; return each delivery's message id -> time of commit."""
    with unit_of_work.writing(engine) as session:
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


def start_scheduler(url: str) -> subprocess.Popen:
    """Start one `python -m scheduler` on `url` with its default settings but a 0.5 s poll."""
    env = os.environ | {"CROSSCHECK_ENV": "development", "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    env["SCHEDULER_POLL_SECONDS"] = "0.5"  # receivers on loopback: development allows private addresses
    return subprocess.Popen([sys.executable, "-m", "scheduler"], env=env)


def throughput(args) -> None:
    """Measure a backlog's deliveries per second, then event -> delivery latency at a steady rate."""
    engine, authority_id = setup(args.database_url, serve(Handler))
    backlog = raise_alerts(engine, authority_id, args.count)
    scheduler = start_scheduler(args.database_url)
    try:
        wait_for(backlog)
        times = sorted(received[i] for i in backlog)
        rate = (len(times) - 1) / (times[-1] - times[0])
        delays = steady(engine, authority_id, args.rate, 10)
    finally:
        scheduler.send_signal(signal.SIGTERM)
        scheduler.wait(timeout=60)
    print(f"database: {engine.dialect.name}; cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}")
    print(f"backlog of {args.count}: {rate:.0f} deliveries/s (first to last arrival, one scheduler)")
    print(f"event -> delivery at {args.rate:.0f}/s for 10 s: {spread(delays)}")


def steady(engine, authority_id: int, rate: float, seconds: float, timeout: float = 300.0) -> list[float]:
    """Raise `rate` alerts a second for `seconds`, one per transaction; return each commit -> arrival."""
    latencies = []
    for _ in range(int(rate * seconds)):
        sent = raise_alerts(engine, authority_id, 1)
        wait_deadline = time.monotonic() + 1 / rate
        latencies += list(sent.items())
        time.sleep(max(0.0, wait_deadline - time.monotonic()))
    wait_for([i for i, _ in latencies], timeout)
    return [received[i] - t for i, t in latencies]


def spread(delays: list[float]) -> str:
    """Describe delays as p50 / p99 / max."""
    ordered = sorted(delays)
    return f"p50 {ordered[len(ordered) // 2]:.2f} s, p99 {p99(ordered):.2f} s, max {ordered[-1]:.2f} s"


def hanging_receiver(args) -> None:
    """Measure another council's commit -> delivery while one council's receiver hangs."""
    global HANG_SECONDS
    HANG_SECONDS = args.hang
    engine, slow_id, fast_id = setup(args.database_url, serve(HangingHandler), serve(Handler))
    scheduler = start_scheduler(args.database_url)
    try:
        time.sleep(3)  # the scheduler is up and polling
        raise_alerts(engine, slow_id, args.slow_count)
        time.sleep(1)
        delays = steady(engine, fast_id, args.fast_rate, args.fast_count / args.fast_rate, timeout=1800)
        requests_to_hanging = len(hung)
    finally:
        scheduler.send_signal(signal.SIGTERM)
        scheduler.wait(timeout=120)
    print(f"database: {engine.dialect.name}; cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}")
    print(
        f"{args.slow_count} alerts to a receiver hanging {args.hang:.0f} s, then {args.fast_count} to "
        f"another council at {args.fast_rate:g}/s: its commit -> delivery {spread(delays)}; "
        f"requests to the hanging receiver meanwhile: {requests_to_hanging}"
    )


def main() -> None:
    """Run the chosen benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=20.0, help="alerts per second in the latency phase")
    parser.add_argument("--hanging-receiver", action="store_true", help="measure isolation instead")
    parser.add_argument("--hang", type=float, default=HANG_SECONDS, help="seconds the hanging receiver waits")
    parser.add_argument("--slow-count", type=int, default=150)
    parser.add_argument("--fast-count", type=int, default=60)
    parser.add_argument("--fast-rate", type=float, default=2.0)
    args = parser.parse_args()
    (hanging_receiver if args.hanging_receiver else throughput)(args)


if __name__ == "__main__":
    main()
