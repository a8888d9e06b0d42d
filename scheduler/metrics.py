"""The scheduler's metrics and liveness, served on METRICS_PORT: GET /metrics and GET /healthz.

/metrics has the periodic jobs' last success, durations and failures, the deliveries this process ended
by outcome, whether it leads, the screenings it recorded (re-screens, intelligence), and three gauges
read from the database at each scrape: deliveries due, how long the longest-waiting one has been due, and
dead deliveries. Every scheduler reports the same database figures; rules take their max.

/healthz is liveness: 200 while the scheduler's jobs still start (the leader election runs every
SCHEDULER_LEADER_RETRY_SECONDS even when the database is away, so an unreachable database does not fail
it), 503 once none has started for STALLED_AFTER_RUNS of those periods (at least a minute), which only a
wedged job runner comes to. A restart is then the cure; readiness (the database answers) is apart.

The server binds METRICS_HOST; publish the port to Prometheus and the kubelet only. Nothing in it is
personal: labels are job names, channels and outcomes.
"""

import json
import logging
import threading
import time
from datetime import datetime
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.engine import Engine

from app.metrics import exposition
from licensing.alerts import queries
from licensing.clock import utcnow
from licensing.persistence import unit_of_work

log = logging.getLogger("crosscheck.scheduler")
STALLED_AFTER_RUNS = 4  # leader-election periods without any job starting before /healthz says 503
MIN_STALL_SECONDS = 60.0
# Periodic jobs take from seconds (reminders) to hours (the weekly re-screen of a large register).
JOB_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0)

JOB_LAST_SUCCESS = Gauge(
    "crosscheck_job_last_success_timestamp_seconds",
    "When each periodic job last succeeded on this scheduler (Unix time); absent until it has.",
    ["job"],
    multiprocess_mode="max",
)
JOB_DURATION = Histogram(
    "crosscheck_job_duration_seconds",
    "How long each run of a periodic job took, successful or not.",
    ["job"],
    buckets=JOB_BUCKETS,
)
JOB_FAILURES = Counter(
    "crosscheck_job_failures",
    "Runs of a periodic job that raised an error, or found the audit chain broken.",
    ["job"],
)
DELIVERIES = Counter(
    "crosscheck_deliveries",
    "Delivery attempts this scheduler ended, by channel and outcome (delivered, retry, dead, lapsed).",
    ["channel", "outcome"],
)
LEADER = Gauge(
    "crosscheck_scheduler_leader",
    "1 while this scheduler holds the leader lock and runs the periodic jobs, else 0.",
    multiprocess_mode="liveall",
)


class Heartbeat:
    """When a job last started here; alive while that is recent enough."""

    def __init__(self):
        """Count the process's start as a beat."""
        self.last = time.monotonic()

    def beat(self) -> None:
        """Note that a job has just started."""
        self.last = time.monotonic()

    def silent_for(self) -> float:
        """Return the seconds since the last beat."""
        return time.monotonic() - self.last


HEARTBEAT = Heartbeat()


def job_ended(name: str, seconds: float, succeeded: bool) -> None:
    """Count one run of periodic job `name`."""
    JOB_DURATION.labels(name).observe(seconds)
    if succeeded:
        JOB_LAST_SUCCESS.labels(name).set(time.time())
    else:
        JOB_FAILURES.labels(name).inc()


def deliveries_ended(outcomes) -> None:
    """Count the ended delivery attempts `outcomes` (licensing.alerts.deliveries.Outcome) by outcome."""
    for outcome in outcomes:
        DELIVERIES.labels(outcome.claim.channel, outcome.status).inc()


class Backlog:
    """A collector reading the delivery backlog from the database at each scrape."""

    def __init__(self, engine: Engine, clock=utcnow):
        """Read from `engine`'s database, with `clock` for now (naive UTC, as the rows are stored)."""
        self.engine, self.clock = engine, clock

    def collect(self):
        """Yield the backlog gauges; on a database error, only crosscheck_scheduler_database_up 0."""
        now = self.clock()
        try:
            with unit_of_work.reading(self.engine) as session:
                waiting, oldest, dead = queries.delivery_backlog(session, now)
        except Exception as error:  # a driver's message may quote the connection string: its type only
            log.warning("metrics: delivery backlog not read", extra={"error_type": type(error).__name__})
            yield GaugeMetricFamily(
                "crosscheck_scheduler_database_up", "1 if the last scrape read the database, else 0.", 0
            )
            return
        yield GaugeMetricFamily(
            "crosscheck_scheduler_database_up", "1 if the last scrape read the database, else 0.", 1
        )
        yield GaugeMetricFamily(
            "crosscheck_deliveries_due", "Deliveries waiting to be sent whose time has come.", waiting
        )
        yield GaugeMetricFamily(
            "crosscheck_deliveries_oldest_due_age_seconds",
            "How long the longest-waiting due delivery has been due (0 when none is).",
            _age(now, oldest),
        )
        yield GaugeMetricFamily(
            "crosscheck_deliveries_dead", "Deliveries given up for good (dead letters) in the database.", dead
        )


def _age(now: datetime, since: datetime | None) -> float:
    """Return the seconds from `since` to `now` (both naive UTC), 0 for none."""
    if since is None:
        return 0.0
    return max((now - since).total_seconds(), 0.0)


def application(backlog: Backlog, stall_seconds: float, heartbeat: Heartbeat = HEARTBEAT):
    """Return the WSGI app of the metrics port: /metrics, /healthz, and 404 for anything else."""

    def app(environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            return _answer(start_response, "405 Method Not Allowed", "text/plain", b"GET only\n")
        if path == "/metrics":
            return _answer(start_response, "200 OK", CONTENT_TYPE_LATEST, exposition(backlog))
        if path == "/healthz":
            silent = heartbeat.silent_for()
            if silent <= stall_seconds:
                return _answer(start_response, "200 OK", "application/json", b'{"status": "ok"}')
            body = json.dumps({"status": "stalled", "seconds_since_a_job_started": round(silent)})
            return _answer(start_response, "503 Service Unavailable", "application/json", body.encode())
        return _answer(start_response, "404 Not Found", "text/plain", b"not found\n")

    return app


def stall_seconds(leader_retry_seconds: float) -> float:
    """Return how long without a job starting means the scheduler is wedged."""
    return max(STALLED_AFTER_RUNS * leader_retry_seconds, MIN_STALL_SECONDS)


def _answer(start_response, status: str, content_type: str, body: bytes):
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


class _Server(ThreadingMixIn, WSGIServer):
    """One thread per scrape or probe, none outliving the process."""

    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    """No line on stderr per scrape: the scheduler's log is JSON lines."""

    def log_message(self, format, *args):
        pass


def serve(host: str, port: int, app) -> WSGIServer:
    """Serve `app` on host:port from a daemon thread; return the server (its shutdown() stops it)."""
    server = make_server(host, port, app, server_class=_Server, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("metrics and liveness on port %s", server.server_port, extra={"port": server.server_port})
    return server
