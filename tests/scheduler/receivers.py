"""Minimal real HTTP receivers on loopback: a Standard Webhooks endpoint and GOV.UK Notify's e-mail API.

Threaded and keep-alive, so two scheduler processes can hit them hard. Each records every request it
received; `answers` (a list) scripts the status codes to return in turn, then 2xx for ever.
"""

import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    """One request as the receiver saw it."""

    path: str
    headers: dict
    body: bytes

    def json(self) -> dict:
        """Return the body parsed as JSON."""
        return json.loads(self.body)


@dataclass
class Script:
    """What the receiver answers: queued (status, headers) pairs first, then success."""

    answers: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next(self, success: int) -> tuple:
        """Pop the next scripted (status, headers[, JSON body]) answer, or succeed."""
        with self.lock:
            return self.answers.pop(0) if self.answers else (success, {})


class Receiver:
    """A loopback HTTP server recording requests; use as a context manager."""

    def __init__(
        self,
        success: int = 200,
        body=None,
        delay: float = 0.0,
        hold_at: int | None = None,
        hold_all: bool = False,
    ):
        """Answer `success` with JSON `body(request)` after `delay` seconds, unless scripted otherwise.

        With `hold_at`, the answer to that request (counting from 1) waits until `release` is set, and
        `held` is set meanwhile: the sender is then certainly waiting in the middle of its work. With
        `hold_all`, every answer waits so: a receiver that hangs.
        """
        self.delay, self.hold_at, self.hold_all = delay, hold_at, hold_all
        self.held, self.release = threading.Event(), threading.Event()
        self.received: list[Received] = []
        self.script = Script()
        self.success, self.body = success, body or (lambda _request: {})
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        """Start serving in a background thread."""
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc):
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def ids(self) -> Counter:
        """Count the requests received per webhook-id."""
        with self._lock:
            return Counter(r.headers.get("webhook-id") for r in self.received)

    def record(self, request: Received) -> int:
        """Keep one received request; return how many have been received."""
        with self._lock:
            self.received.append(request)
            return len(self.received)

    def _handler(self):
        """Build the request handler class bound to this receiver."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go in two writes; no 40 ms delayed-ACK stall

            def do_POST(self):
                """Record the request and answer as scripted."""
                length = int(self.headers.get("content-length", 0))
                request = Received(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)
                )
                if receiver.record(request) == receiver.hold_at or receiver.hold_all:
                    receiver.held.set()
                    receiver.release.wait(timeout=60)
                time.sleep(receiver.delay)
                status, headers, *body = receiver.script.next(receiver.success)
                answer = body[0] if body else receiver.body(request) if status < 300 else {}
                payload = json.dumps(answer).encode()
                self.send_response(status)
                for name, value in (headers | {"content-type": "application/json"}).items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args):
                """Stay quiet."""

        return Handler


def notify_created(request: Received) -> dict:
    """Answer like Notify's 201 for POST /v2/notifications/email."""
    sent = request.json()
    return {
        "id": str(uuid.uuid4()),
        "reference": sent.get("reference"),
        "content": {
            "subject": "Crosscheck alert",
            "body": "…",
            "from_email": "crosscheck@notifications.example",
        },
        "uri": "https://api.notifications.service.gov.uk/v2/notifications/x",
        "template": {"id": sent["template_id"], "version": 1, "uri": "https://example.invalid/t"},
    }
