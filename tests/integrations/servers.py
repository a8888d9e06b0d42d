"""A real HTTP server on loopback for tests: records every request and answers as scripted.

Usage (any test may reuse it):

    with LoopbackServer() as server:            # or the `loopback_server` fixture
        server.script(Reply(500), Reply(200))   # answers in order, then `server.default`
        httpx.post(server.url + "/hook", ...)
        server.requests[0].headers["webhook-id"]

A `handler(request) -> Reply` plays a service (see fakes.py); a Reply can be delayed (to make the client time
out) or drop the connection without answering.
"""

import json
import socket
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    """What the server answers: status, body (bytes, text or JSON-able), headers, delay, or a dropped line."""

    status: int = 200
    body: bytes | str | dict | list = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (longer than the client's timeout: it times out)
    close: bool = False  # close the connection without answering

    def encoded(self) -> tuple[bytes, dict]:
        """Return the body bytes and the headers, with a content type for JSON bodies."""
        headers = {k.lower(): v for k, v in self.headers.items()}
        if isinstance(self.body, dict | list):
            headers.setdefault("content-type", "application/json")
            return json.dumps(self.body).encode(), headers
        return (self.body.encode() if isinstance(self.body, str) else self.body), headers


@dataclass
class Recorded:
    """One request as the server received it."""

    method: str
    path: str
    query: dict  # name -> first value
    headers: dict  # lower-case name -> value
    body: bytes

    def json(self):
        """Parse the body as JSON."""
        return json.loads(self.body)


class LoopbackServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 and a free port; a context manager."""

    def __init__(self, handler: Callable[[Recorded], Reply] | None = None):
        """Answer with `handler` (default: 200 and an empty body) unless replies were scripted."""
        self.handler = handler or (lambda request: Reply())
        self.requests: list[Recorded] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        """Return the base URL, e.g. http://127.0.0.1:54321."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, *replies: Reply) -> None:
        """Queue replies that override the handler's answer for the next requests, in order."""
        with self._lock:
            self._script.extend(replies)

    def answer(self, request: Recorded) -> Reply:
        """Record the request, let the handler see it (a fake still checks it), and choose the reply."""
        with self._lock:
            self.requests.append(request)
            scripted = self._script.popleft() if self._script else None
        handled = self.handler(request)
        return scripted or handled

    def wait(self, seconds: float) -> None:
        """Sleep up to `seconds`, cut short when the server stops."""
        self._stopping.wait(seconds)

    def start(self) -> "LoopbackServer":
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; delayed answers are abandoned."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "LoopbackServer":
        """Start and return the server."""
        return self.start()

    def __exit__(self, *exc_info) -> None:
        """Stop the server."""
        self.stop()


def _handler_class(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    """Make a request handler class bound to `server`."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real receivers and clients use

        def setup(self) -> None:
            """Send each write at once: headers and body go out separately, and Nagle would hold the body."""
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def handle_any(self) -> None:
            """Read the request, record it, and send (or withhold) the chosen reply."""
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = server.answer(Recorded(self.command, parts.path, query, headers, body))
            if reply.delay:
                server.wait(reply.delay)
            if reply.close:
                self.close_connection = True
                return
            self.respond(reply)

        def respond(self, reply: Reply) -> None:
            """Write the reply; a client that already gave up is not an error."""
            data, headers = reply.encoded()
            try:
                self.send_response_only(reply.status)
                headers.setdefault("date", self.date_time_string())
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

        def log_message(self, format, *args) -> None:
            """Keep test output quiet."""

    return Handler
