"""The link to an alert in the API, defined once: the API routes it and the scheduler sends it.

The scheduler may not load the API's views (docs/architecture.md, "What may import what"), so the path
lives in this module, which imports nothing. The API registers its alert route from the same definition
(app/api/alerts.py), so the link a council is sent and the route that answers it cannot differ.

An alert's stored payload holds no link, since `licensing` knows nothing of URLs: the API adds it when it
shows an alert, and the scheduler when it sends one, both through `linked_payload`.
"""

API_PREFIX = "/api/v1"
# One alert, below API_PREFIX. Its route is the same path with the id an integer.
ALERT_PATH = "/alerts/{alert_id}"
ALERT_ROUTE = ALERT_PATH.format(alert_id="<int:alert_id>")


def alert_link(alert_id: int) -> str:
    """Return the path of one alert in the API (an e-mail puts PUBLIC_BASE_URL before it)."""
    return API_PREFIX + ALERT_PATH.format(alert_id=alert_id)


def linked_payload(payload: dict, alert_id: int) -> dict:
    """Return an alert's payload as it is sent and shown: what it holds, and the link to the alert."""
    return payload | {"links": {"self": alert_link(alert_id)}}
