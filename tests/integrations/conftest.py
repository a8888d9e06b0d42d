"""Fixtures for outbound integrations: a loopback HTTP server and an httpx client with a short timeout."""

import httpx
import pytest

from tests.integrations.servers import LoopbackServer

TIMEOUT = 0.5  # seconds; a Reply delayed longer than this makes the client time out


@pytest.fixture
def loopback_server():
    """Start a LoopbackServer answering 200 by default; set `.handler` to play a service."""
    with LoopbackServer() as server:
        yield server


@pytest.fixture
def http_client():
    """Return an httpx client with a short timeout, as the scheduler would configure one."""
    with httpx.Client(timeout=TIMEOUT) as client:
        yield client
