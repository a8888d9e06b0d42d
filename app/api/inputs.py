"""What every API request's input must be before a view reads it: JSON, shallow, and storable text.

These checks run before the views and their schemas, for every endpoint at once, so no single view can
forget one:

- A body is JSON (415 otherwise), UTF-8 as RFC 8259 requires, and nested at most MAX_JSON_DEPTH levels
  deep (400 otherwise). The depth is measured on the raw text before anything parses it: parsers and
  validators recurse once per level, so a deep enough document would exhaust the stack (a 500) however
  it was handled afterwards.
- Every string sent (path, query, JSON values and keys) is text the databases can store (422 otherwise):
  no NUL character, which PostgreSQL cannot hold, and no lone UTF-16 surrogate (U+D800 to U+DFFF), which
  JSON's \\uXXXX escapes can spell but UTF-8 cannot encode, so no driver can send it.
"""

import operator
import re
from itertools import accumulate, repeat

from flask import request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from licensing.errors import ValidationFailed

MAX_JSON_DEPTH = 32
NUL_MESSAGE = "Must not contain a NUL character."
SURROGATE_MESSAGE = "Must be valid Unicode: a lone UTF-16 surrogate (U+D800 to U+DFFF) cannot be stored."
# Every byte but the quote and the four brackets, deleted before the depth is measured.
_NOT_STRUCTURE = bytes(byte for byte in range(256) if byte not in b'"[]{}')
# Each bracket as 2 (opens) or 0 (closes), so that the depth is the running sum of (byte - 1).
_LEVELS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")
_SURROGATE = re.compile("[\ud800-\udfff]")


def require_json_body() -> None:
    """Refuse a request body that is not JSON with 415, rather than reading it as missing fields."""
    if (request.content_length or request.headers.get("Transfer-Encoding")) and not request.is_json:
        raise UnsupportedMediaType("Send the request body as JSON, with Content-Type: application/json.")


def refuse_deep_json() -> None:
    """Refuse with 400 a JSON body that is not UTF-8 or is nested deeper than MAX_JSON_DEPTH."""
    if not request.is_json:
        return
    body = request.get_data(cache=True)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("The JSON body is not UTF-8 text.") from None
    if nested_deeper_than(body, MAX_JSON_DEPTH):
        raise BadRequest(f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.")


def nested_deeper_than(body: bytes, limit: int) -> bool:
    """Tell whether arrays and objects nest more than `limit` deep in a JSON text, without parsing it.

    Linear, and in C throughout: escaped backslashes and quotes are cut out, then everything but quotes
    and brackets; what lies between two quotes was a string. The depth is the running sum over the
    brackets left. An invalid document is measured as far as it goes, which is never less deep than a
    parser would get before failing.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    structure = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE)
    brackets = b"".join(structure.split(b'"')[::2]).translate(_LEVELS)
    return max(accumulate(map(operator.sub, brackets, repeat(1)), initial=0)) > limit


def refuse_unstorable_text() -> None:
    """Refuse with 422 any string sent holding a NUL character or a lone surrogate, naming each field."""
    sent = {
        "path": request.view_args or {},
        "query": request.args.to_dict(flat=False),
        "json": request.get_json(silent=True) if request.is_json else None,
    }
    problems = list(_unstorable(sent, ""))
    if problems:
        raise ValidationFailed("The request holds text that cannot be stored.", problems)


def _unstorable(value, name: str):
    """Yield a {field, message} for every string inside `value` (keys too) that cannot be stored."""
    if isinstance(value, str):
        message = _text_problem(value)
        if message:
            yield {"field": name, "message": message}
        return
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        field = f"{name}.{_printable(key)}" if name else _printable(key)
        if isinstance(key, str) and _text_problem(key):
            yield {"field": field, "message": f"This field's name: {_text_problem(key)}"}
        yield from _unstorable(item, field)


def _text_problem(text: str) -> str | None:
    """Say why `text` cannot be stored, or return None when it can."""
    if "\x00" in text:
        return NUL_MESSAGE
    if _SURROGATE.search(text):
        return SURROGATE_MESSAGE
    return None


def _printable(key) -> str:
    """Return a field name as text that can be sent back: surrogates and NULs spelt as escapes."""
    return str(key).encode("utf-8", "backslashreplace").decode().replace("\x00", "\\x00")
