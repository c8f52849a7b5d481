"""toysocket: a tiny pure-Python "port" of a slice of Python's socket module.

It stands for a third-party implementation being validated with the conformance suite
(docs/validating-your-implementation.md). It has the byte-order functions and the IPv4
text/binary conversions, and nothing else: no socket objects, no name resolution, no
constants. It is written from the documented behaviour, like a port to another language
would be, not by calling the real socket module.

One simplification is deliberate, to show what a divergence looks like in the matrix:
CPython converts the argument of htons()/ntohs() to a C int before the 16-bit range check,
so outside the C int range it raises the generic "signed integer is greater than maximum"
(and beyond a C long "Python int too large to convert to C long"); toysocket only has the
16-bit check and its message.
"""

__version__ = "0.1"

_U16_MAX = 0xFFFF
_U32_MAX = 0xFFFFFFFF
_ULONG_MAX = 2 ** 64 - 1  # a C unsigned long on 64-bit Linux


def _swap(value, size):
    return int.from_bytes(value.to_bytes(size, "little"), "big")


def _short(name, x):
    if not isinstance(x, int):  # bool is an int, as in CPython
        raise TypeError("'%s' object cannot be interpreted as an integer" % type(x).__name__)
    if x < 0:
        raise OverflowError(
            "%s: can't convert negative Python int to C 16-bit unsigned integer" % name)
    if x > _U16_MAX:  # the simplification: CPython checks the C int range first
        raise OverflowError(
            "%s: Python int too large to convert to C 16-bit unsigned integer" % name)
    return _swap(int(x), 2)


def _long(x):
    if not isinstance(x, int):
        raise TypeError("expected int, %s found" % type(x).__name__)
    if x < 0:
        raise OverflowError("can't convert negative value to unsigned int")
    if x > _ULONG_MAX:
        raise OverflowError("Python int too large to convert to C unsigned long")
    if x > _U32_MAX:
        raise OverflowError("int larger than 32 bits")
    return _swap(int(x), 4)


def htons(x):
    """Host to network byte order, 16 bits."""
    return _short("htons", x)


def ntohs(x):
    """Network to host byte order, 16 bits."""
    return _short("ntohs", x)


def htonl(x):
    """Host to network byte order, 32 bits."""
    return _long(x)


def ntohl(x):
    """Network to host byte order, 32 bits."""
    return _long(x)


def _aton_part(text):
    """One part of an inet_aton(3) address: decimal, 0x hexadecimal or 0 octal; or None."""
    if text[:2] in ("0x", "0X"):
        digits, base = text[2:], 16
    elif len(text) > 1 and text[0] == "0":
        digits, base = text[1:], 8
    else:
        digits, base = text, 10
    allowed = "0123456789abcdefABCDEF"[:22 if base == 16 else base]
    if not digits or any(c not in allowed for c in digits):
        return None
    value = int(digits, base)
    return value if value <= _U32_MAX else None


def inet_aton(ip_string):
    """Packs an IPv4 address in any form inet_aton(3) accepts into 4 bytes."""
    if not isinstance(ip_string, str):
        got = "None" if ip_string is None else type(ip_string).__name__  # CPython's wording
        raise TypeError("inet_aton() argument 1 must be str, not %s" % got)
    if "\0" in ip_string:
        raise ValueError("embedded null character")
    illegal = OSError("illegal IP address string passed to inet_aton")
    # glibc stops at the first white space and ignores the rest.
    end = next((i for i, c in enumerate(ip_string) if c in " \t\n\v\f\r"), len(ip_string))
    parts = [_aton_part(p) for p in ip_string[:end].split(".")]
    if not 1 <= len(parts) <= 4 or None in parts:
        raise illegal
    # The last part fills the bytes the others leave: a, a.b (24 bits), a.b.c (16 bits).
    *leading, last = parts
    if any(p > 0xFF for p in leading) or last >= 1 << (8 * (4 - len(leading))):
        raise illegal
    value = last
    for i, p in enumerate(leading):
        value |= p << (24 - 8 * i)
    return value.to_bytes(4, "big")


def inet_ntoa(packed_ip):
    """Formats a 4-byte packed IPv4 address as a dotted quad."""
    try:
        data = bytes(memoryview(packed_ip))
    except TypeError:
        raise TypeError("a bytes-like object is required, not '%s'" % type(packed_ip).__name__)
    if len(data) != 4:
        raise OSError("packed IP wrong length for inet_ntoa")
    return ".".join(str(b) for b in data)
