"""Calls every function and socket method of stock _socket and of sockref's extension with the
same odd arguments, and fails on any difference in outcome.

    /usr/bin/python3 python/argument_differential_test.py [--sockref PATH]

An outcome is "returned a value of type T" or "raised class C with message M (and errno E)". The
arguments are a fixed corpus of values Python programs get wrong (None, negative and huge ints,
floats, NaN, str/bytes with NULs, malformed address tuples, wrong types) in every combination of
up to two arguments (three for a few), on sockets of five kinds made non-blocking first, so no call
can wait. Module names in messages are normalized (`_sockref_socket` reads as `_socket`). Calls
that would touch the machine (sethostname) or descriptors the process owns (close, dup, detach,
socket(fileno=0)) are left out. This found sockref's socket(fileno=) not refusing a non-socket
when family/type/proto were given, and five argument-message differences in the binding.
"""

import argparse
import itertools
import os
import sys
import tempfile
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sockref_extension  # noqa: E402  (same directory)

SCALARS = [None, 0, 1, -1, 2**31, 2**32, 2**63, 2**64, -2**63 - 1, 2**100, 1.5, float("nan"),
           -0.5, "x", "", "a\0b", b"x", b"", b"a\0b", bytearray(b"ab"), [], (), object()]
ADDRESSES = [("127.0.0.1", 0), ("127.0.0.1", -1), ("127.0.0.1", 70000), ("127.0.0.1", "x"),
             ("::1", 0, 0, 0), ("::1", 0, 2**20, 0), ("", 0), ("<broadcast>", 0), (1, 2),
             ("127.0.0.1", 0, 0, 0, 0), ("a\0b", 0), b"\0abstract-sockref-differential"]
BUFFERS = [[b"x"], [bytearray(2)], [(1, 2, b"x")], [(1, 1, b"\0\0\0\0")], [1]]
VALUES = SCALARS + ADDRESSES + BUFFERS
FEW = [None, 0, 2**31, b"x", 1.5, "x"]

# Module functions that only compute or look up (no network beyond the resolver's files).
FUNCTIONS = ["getaddrinfo", "getnameinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr",
             "getservbyname", "getservbyport", "getprotobyname", "htons", "ntohs", "htonl",
             "ntohl", "inet_aton", "inet_ntoa", "inet_pton", "inet_ntop", "if_nametoindex",
             "if_indextoname", "CMSG_LEN", "CMSG_SPACE", "setdefaulttimeout", "socketpair"]
METHODS = ["bind", "connect", "connect_ex", "sendto", "send", "sendall", "recv", "recv_into",
           "recvfrom", "recvfrom_into", "recvmsg", "recvmsg_into", "sendmsg", "getsockopt",
           "setsockopt", "settimeout", "setblocking", "shutdown", "listen", "getsockname",
           "getpeername"]
KINDS = [(2, 1), (2, 2), (10, 2), (1, 1), (1, 2)]  # (family, type): TCP, UDP, UDP6, UNIX x2


def outcome(call, *args, **kwargs):
    try:
        result = call(*args, **kwargs)
    except Exception as e:  # the outcome is the point
        return (type(e).__name__, str(e).replace("_sockref_socket", "_socket"),
                getattr(e, "errno", None))
    if isinstance(result, tuple) and result and hasattr(result[0], "close"):
        for s in result:
            s.close()
    return ("returned", type(result).__name__)


def argument_tuples(resolver_safe):
    for n in (0, 1, 2):
        for args in itertools.product(VALUES, repeat=n):
            # Host names other than the corpus's own go to the resolver: keep it local.
            if not resolver_safe and any(isinstance(a, str) and a not in ("", "x", "a\0b")
                                         for a in args):
                continue
            yield args
    for args in itertools.product(FEW, repeat=3):
        yield args


class Comparison:
    def __init__(self):
        self.calls = 0
        self.differences = []

    def check(self, what, args, stock, sockref):
        self.calls += 1
        if stock != sockref:
            self.differences.append((what, args, stock, sockref))


def compare_functions(stock_mod, sockref_mod, cmp):
    for name in FUNCTIONS:
        resolver_safe = name not in ("getaddrinfo", "gethostbyname", "gethostbyname_ex",
                                     "gethostbyaddr")
        for args in argument_tuples(resolver_safe):
            a = outcome(getattr(stock_mod, name), *args)
            b = outcome(getattr(sockref_mod, name), *args)
            stock_mod.setdefaulttimeout(None)
            sockref_mod.setdefaulttimeout(None)
            cmp.check(name, args, a, b)


def method_outcome(module, family, type_, name, args, workdir):
    # Each module binds AF_UNIX paths in its own directory, so neither sees the other's files.
    os.chdir(workdir)
    s = module.socket(family, type_)
    try:
        s.setblocking(False)
        return outcome(getattr(s, name), *args)
    finally:
        s.close()
        for entry in os.listdir(workdir):
            os.unlink(os.path.join(workdir, entry))


def compare_methods(stock_mod, sockref_mod, cmp, stock_dir, sockref_dir):
    for family, type_ in KINDS:
        for name in METHODS:
            for args in argument_tuples(resolver_safe=False):
                a = method_outcome(stock_mod, family, type_, name, args, stock_dir)
                b = method_outcome(sockref_mod, family, type_, name, args, sockref_dir)
                cmp.check("socket(%d, %d).%s" % (family, type_, name), args, a, b)


def compare_constructor(stock_mod, sockref_mod, cmp):
    read_end, write_end = os.pipe()  # a descriptor that is not a socket
    closed = stock_mod.socket()
    closed_fd = closed.fileno()
    closed.close()
    try:
        ints = [None, -1, 0, 1, 2, 10, 2**31, 2**64, 1.5, "x", 5000]
        for args in itertools.product(ints, repeat=3):
            for fileno in (None, -1, 2**31, 1.5, "x", read_end, closed_fd):
                kwargs = {} if fileno is None else {"fileno": fileno}
                results = []
                for module in (stock_mod, sockref_mod):
                    def make():
                        s = module.socket(*[a for a in args], **kwargs)
                        state = (s.family, s.type, s.proto, s.gettimeout())
                        s.detach() if kwargs else s.close()  # never close the pipe
                        return state
                    results.append(outcome(make))
                cmp.check("socket", (args, kwargs), *results)
    finally:
        os.close(read_end)
        os.close(write_end)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sockref_extension.add_arguments(parser)
    args = parser.parse_args()
    sockref_extension.run_under(args.python, __file__)
    warnings.simplefilter("ignore")  # ResourceWarning from sockets the calls leave behind
    import _socket as stock_mod
    sockref_mod = sockref_extension.load(args.sockref)
    cmp = Comparison()
    with tempfile.TemporaryDirectory() as stock_dir, tempfile.TemporaryDirectory() as our_dir:
        compare_functions(stock_mod, sockref_mod, cmp)
        compare_methods(stock_mod, sockref_mod, cmp, stock_dir, our_dir)
        compare_constructor(stock_mod, sockref_mod, cmp)
        os.chdir(HERE)
    for what, call_args, a, b in cmp.differences[:50]:
        print("%s%r\n  stock:   %r\n  sockref: %r" % (what, call_args, a, b))
    print("%d calls compared, %d differ" % (cmp.calls, len(cmp.differences)))
    return 1 if cmp.differences else 0


if __name__ == "__main__":
    sys.exit(main())
