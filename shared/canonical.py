"""RFC 8785 (JCS) canonical JSON, fast: byte-for-byte what the `rfc8785` package gives, errors included.

The strings go through the standard library's C escaper (it escapes exactly what JCS does:
`"`, `\\` and the controls below U+0020, with the short forms and lowercase `\\u00xx`), and an
object of ASCII keys and plain scalars (most payloads) through orjson, which escapes the same
way and sorts ASCII keys as UTF-16 code units order them, ten times faster; keys sort
by UTF-16 code units (which differs from code-point order only when a key holds a character
above U+D7FF); numbers follow ECMAScript's Number.prototype.toString, built from Python's
shortest round-trip repr. tests/unit/test_canonical.py proves the equality over generated values.
"""

from __future__ import annotations

from json.encoder import JSONEncoder, encode_basestring
from typing import Any

import orjson
from rfc8785 import CanonicalizationError, FloatDomainError, IntegerDomainError

__all__ = ["CanonicalizationError", "FloatDomainError", "IntegerDomainError", "canonical_json", "canonical_text"]

_MAX_SAFE = 2**53 - 1


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 canonical form of a JSON value (dict, list, str, int, float, bool, None)."""
    text = _encode(value)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate: not Unicode, as rfc8785 says too
        raise CanonicalizationError(f"invalid Unicode in string: {error}") from error


def canonical_text(value: Any) -> str:
    """The canonical form as text (encode it as UTF-8 to hash it; a lone surrogate fails there)."""
    return _encode(value)


def _encode(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is dict:
        return _object(value)
    if kind is list or kind is tuple:
        return "[" + ",".join([_encode(item) for item in value]) + "]"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        if -_MAX_SAFE <= value <= _MAX_SAFE:
            return str(value)
        raise IntegerDomainError(value)
    if kind is float:
        return _number(value)
    return _other(value)


def _object(value: dict) -> str:
    keys = list(value)
    try:
        joined = "".join(keys)  # one C call checks that every key is a string, and whether all are ASCII
    except TypeError as error:
        raise CanonicalizationError("object keys must be strings") from error
    if joined.isascii():
        if _flat(value):  # ASCII keys, plain scalars: orjson and the C encoder write exactly the JCS form
            try:
                return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
            except orjson.JSONEncodeError:  # a lone surrogate: refused where the text is encoded, as before
                return _c_encode(value)
        keys.sort()
    else:
        keys.sort(key=_utf16)
    return "{" + ",".join([encode_basestring(key) + ":" + _encode(value[key]) for key in keys]) + "}"


# Sorted ASCII keys order as UTF-16 code units do; strings escape as JCS does; ints and
# literals print alike. Floats never reach it (their spelling differs from ECMAScript's).
_c_encode = JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False).encode


def _flat(value: dict) -> bool:
    for item in value.values():
        kind = type(item)
        if kind is str or item is None or kind is bool:
            continue
        if kind is int and -_MAX_SAFE <= item <= _MAX_SAFE:
            continue
        return False
    return True


def _utf16(key: str) -> bytes:
    # Big-endian UTF-16 bytes compare exactly as the code units do.
    return key.encode("utf-16-be", "surrogatepass")


def _other(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return _encode(int(value))
    if isinstance(value, float):
        return _number(float(value))
    if isinstance(value, str):  # a str subclass (an enum) is written as its value, never str() of it
        return encode_basestring(value)
    if isinstance(value, dict):
        return _object(dict(value))
    if isinstance(value, list | tuple):
        return _encode(list(value))
    raise CanonicalizationError(f"unsupported type: {type(value).__name__}")


def _number(value: float) -> str:
    """ECMAScript Number.prototype.toString of a finite double (JCS §3.2.2.3)."""
    if value != value or value in (float("inf"), float("-inf")):
        raise FloatDomainError(value)
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    text = repr(-value if sign else value)
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    if fraction == "0":
        fraction = ""
    joined = whole + fraction
    digits = joined.lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(joined) - len(digits))  # value = 0.digits × 10^point
    digits = digits.rstrip("0")
    count = len(digits)
    if count <= point <= 21:
        return sign + digits + "0" * (point - count)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    power = point - 1
    head = digits[0] + ("." + digits[1:] if count > 1 else "")
    return f"{sign}{head}e{'+' if power > 0 else '-'}{abs(power)}"
