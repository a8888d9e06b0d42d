"""Every list of the officer pages comes a page at a time (licensing/persistence/pages.py).

The link to the next page carries its cursor and the trail of cursors of the pages before, so "Previous"
goes back a page; a list's template includes officer/_pagination.html with what `pagination` returns.
"""

from flask import abort, request, url_for

from licensing.persistence import pages

FIRST_PAGE = "."  # the trail's mark of the first page, which has no cursor
MAX_TRAIL = 200  # pages an officer can step back through


def page_after(list_name: str, types: tuple[type, ...] = (int,)) -> tuple | None:
    """Return the key the current request's page starts after (None for the first page)."""
    cursor = request.args.get("cursor")
    if not cursor:
        return None
    try:
        return pages.decode_cursor(list_name, cursor, types)
    except pages.BadCursor:
        abort(400, "That page link is not one this list gave out. Go back to the first page.")


def pagination(list_name: str, page: pages.Page) -> dict:
    """Return the GOV.UK pagination of `page` in this request's list (empty when it is the only page)."""
    args = request.args.to_dict()
    trail = [step for step in args.pop("trail", "").split(",") if step][-MAX_TRAIL:]
    cursor = args.pop("cursor", None)
    number = len(trail) + 1 if cursor else 1
    found: dict = {"landmarkLabel": "Pages", "number": number}
    if page.next_key is not None:
        onward = {"cursor": pages.encode_cursor(list_name, page.next_key)}
        onward["trail"] = ",".join([*trail, cursor or FIRST_PAGE]) if cursor else FIRST_PAGE
        found["next"] = {"href": _here(args | onward), "labelText": f"Page {number + 1}"}
    if cursor:
        back = trail[-1] if trail else FIRST_PAGE
        earlier = {} if back == FIRST_PAGE else {"cursor": back, "trail": ",".join(trail[:-1])}
        found["previous"] = {"href": _here(args | earlier), "labelText": f"Page {number - 1}"}
    return found if ("next" in found or "previous" in found) else {"number": number}


def _here(args: dict) -> str:
    """Return the URL of this request's page with `args` as its query."""
    return url_for(request.endpoint, **(request.view_args or {}), **{k: v for k, v in args.items() if v})
