"""The value codec: Python objects <-> PROTOCOL.md's JSON encoding ("Values").

    encode_value(socket.AF_INET)  ->  {"enum": "AddressFamily", "name": "AF_INET", "value": 2}
    decode_value({"bytes": "eA=="})  ->  b"x"
"""

import base64
import enum
import json
import math

from .errors import ProtocolError

INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1

# The types whose len() an omitted value reports (PROTOCOL.md, "want_value"): asking others
# could run arbitrary code.
SIZED_TYPES = (str, bytes, bytearray, tuple, list)

# Deeper values are cut short rather than risk the recursion limit on a self-referencing list.
MAX_DEPTH = 50


def enum_member_name(value):
    """enum_member_name returns the member's name as Python 3.11 prints it ("MSG_PEEK|MSG_WAITALL"
    for a flag combination, which Pythons before 3.11 leave unnamed)."""
    name = value.name
    if name is None:
        parts = [m.name for m in type(value)
                 if m.value and (m.value & (m.value - 1)) == 0 and (value & m.value) == m.value]
        name = "|".join(parts)
    return name


def encode_value(value, depth=0):
    """encode_value returns `value` encoded as PROTOCOL.md's "Values" says. Never raises: what
    it cannot encode otherwise is an {"object": type name, "repr": ...}."""
    if depth > MAX_DEPTH:
        return {"object": type(value).__name__, "repr": "<nested too deeply>"}
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, enum.Enum) and isinstance(value, int):
        return {"enum": type(value).__name__, "name": enum_member_name(value),
                "value": int(value)}
    kind = type(value)
    if kind is int:
        return value if INT64_MIN <= value <= INT64_MAX else {"int": str(value)}
    if kind is float:
        return {"float": _float_body(value)}
    if kind is str:
        return value if _is_utf8(value) else {"object": "str", "repr": repr(value)}
    if kind in (bytes, bytearray):
        return {kind.__name__: base64.b64encode(bytes(value)).decode("ascii")}
    if kind in (tuple, list):
        return {kind.__name__: [encode_value(v, depth + 1) for v in value]}
    return {"object": kind.__name__, "repr": safe_repr(value)}


def _float_body(value):
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _is_utf8(text):
    """Lone surrogates cannot travel as JSON text (PROTOCOL.md, "Values")."""
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def omitted_value(value):
    """omitted_value returns what a reply carries for a value the runner did not ask for
    ("want_value": false): its type name and, for SIZED_TYPES, its length."""
    kind = type(value)
    return {"omitted": kind.__name__, "len": len(value) if kind in SIZED_TYPES else None}


def safe_repr(value):
    """safe_repr returns clean_text(repr(value)), or a placeholder if repr raises."""
    try:
        return clean_text(repr(value))
    except BaseException as e:  # a repr that raises must not take the driver down
        return "<repr failed: %s>" % type(e).__name__


def clean_text(text):
    """clean_text returns `text` with each lone surrogate written as repr() writes it ("\\udc96").

    A repr can hold raw surrogates: a socket's shows str(laddr), and an AF_UNIX path that is
    not UTF-8 decodes with surrogateescape (PyPy's fromfd() misreads an AF_INET address that
    way). JSON can only escape them ("\\udc96"), and strict readers such as the runner's reject
    a lone surrogate escape, so the reply must not carry one."""
    if _is_utf8(text):
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def clean_message(message):
    """clean_message returns `message` with clean_text applied to every string, keys included."""
    if isinstance(message, str):
        return clean_text(message)
    if isinstance(message, dict):
        return {clean_text(k): clean_message(v) for k, v in message.items()}
    if isinstance(message, list):
        return [clean_message(v) for v in message]
    return message


def decode_value(j):
    """decode_value returns the Python value of a literal. Raises ProtocolError for anything a
    literal cannot be (a bare float, a bare array, bad base64, ...)."""
    if j is None or isinstance(j, (bool, str, int)):
        return j
    if isinstance(j, float):
        raise ProtocolError('a float is written {"float": x}, got bare %r' % j)
    if isinstance(j, list):
        raise ProtocolError('a tuple or list is written {"tuple": [...]} or {"list": [...]}')
    if not isinstance(j, dict) or len(j) != 1:
        raise ProtocolError("not a literal value: %s" % json.dumps(j))
    (key, body), = j.items()
    decoder = _DECODERS.get(key)
    value = decoder(key, body) if decoder is not None else _NOT_A_LITERAL
    if value is _NOT_A_LITERAL:
        raise ProtocolError("not a literal value: %s" % json.dumps(j))
    return value


_NOT_A_LITERAL = object()


def _decode_int(key, body):
    if not isinstance(body, str):
        return _NOT_A_LITERAL
    try:
        return int(body, 10)
    except ValueError:
        raise ProtocolError("bad {\"int\": ...} digits: %r" % body)


def _decode_float(key, body):
    if isinstance(body, (int, float)) and not isinstance(body, bool):
        return float(body)
    if body in ("nan", "inf", "-inf"):
        return float(body)
    return _NOT_A_LITERAL


def _decode_bytes(key, body):
    if not isinstance(body, str):
        return _NOT_A_LITERAL
    try:
        data = base64.b64decode(body.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise ProtocolError("bad base64 in {\"%s\": ...}" % key)
    return data if key == "bytes" else bytearray(data)


def _decode_sequence(key, body):
    if not isinstance(body, list):
        return _NOT_A_LITERAL
    items = [decode_value(v) for v in body]
    return tuple(items) if key == "tuple" else items


_DECODERS = {
    "int": _decode_int,
    "float": _decode_float,
    "bytes": _decode_bytes,
    "bytearray": _decode_bytes,
    "tuple": _decode_sequence,
    "list": _decode_sequence,
}
