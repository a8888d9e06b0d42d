"""The loopback server itself: it records, answers as scripted, delays and drops connections."""

import httpx
import pytest

from tests.integrations.servers import LoopbackServer, Reply


def test_server_records_requests_and_answers_scripted_replies_in_order(loopback_server, http_client):
    loopback_server.script(Reply(500, "down"), Reply(201, {"ok": True}, {"X-Extra": "1"}))
    first = http_client.post(loopback_server.url + "/a?x=1", content=b"one")
    second = http_client.post(loopback_server.url + "/b", json={"n": 2})
    third = http_client.get(loopback_server.url + "/c")
    assert (first.status_code, first.text) == (500, "down")
    assert (second.status_code, second.json(), second.headers["x-extra"]) == (201, {"ok": True}, "1")
    assert third.status_code == 200
    recorded = loopback_server.requests
    assert [(r.method, r.path) for r in recorded] == [("POST", "/a"), ("POST", "/b"), ("GET", "/c")]
    assert recorded[0].query == {"x": "1"} and recorded[0].body == b"one"
    assert recorded[1].json() == {"n": 2} and recorded[1].headers["content-type"] == "application/json"


def test_handler_answers_when_nothing_is_scripted(http_client):
    with LoopbackServer(lambda request: Reply(418, request.path)) as server:
        response = http_client.get(server.url + "/teapot")
    assert (response.status_code, response.text) == (418, "/teapot")


def test_delayed_reply_makes_the_client_time_out(loopback_server, http_client):
    loopback_server.script(Reply(200, delay=5))
    with pytest.raises(httpx.ReadTimeout):
        http_client.get(loopback_server.url)


def test_closed_reply_drops_the_connection_without_an_answer(loopback_server, http_client):
    loopback_server.script(Reply(close=True))
    with pytest.raises(httpx.RemoteProtocolError):
        http_client.get(loopback_server.url)
    assert http_client.get(loopback_server.url).status_code == 200
