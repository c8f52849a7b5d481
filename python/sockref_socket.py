"""sockref_socket: Python's `socket` module running on sockref's extension instead of `_socket`.

    import sockref_socket as socket      # the whole socket API, backed by //impl:sockref
    s = socket.socket(); s.settimeout(1.0)

It executes the interpreter's own Lib/socket.py in this module's namespace while the name
`_socket` means sockref's extension (_sockref_socket), so every class and function of `socket`
is here and calls sockref. The stock `socket` and `_socket` modules are left alone; both can be
used in the same process. This is what `oracle/driver.py --module sockref_socket` drives (the
`reference-python` implementation in conformance/implementations.json).

The extension is looked up next to this file (Bazel's runfiles, or a copy), then in the
workspace's bazel-bin/python (after `bazel build //python:_sockref_socket.so`).
"""

import importlib.util
import os
import sys

import sockref_extension

_HERE = os.path.dirname(os.path.abspath(__file__))
_CANDIDATES = [
    os.path.join(_HERE, "_sockref_socket.so"),
    os.path.join(_HERE, os.pardir, "bazel-bin", "python", "_sockref_socket.so"),
]


def _load_extension():
    if sockref_extension.NAME in sys.modules:
        return sys.modules[sockref_extension.NAME]
    for path in _CANDIDATES:
        if os.path.exists(path):
            return sockref_extension.load(path)
    raise ImportError("sockref's extension _sockref_socket.so not found (looked in %s); "
                      "build it with: bazel build //python:_sockref_socket.so"
                      % ", ".join(os.path.normpath(p) for p in _CANDIDATES))


def _run_socket_py(extension):
    """Executes Lib/socket.py here with `import _socket` resolving to `extension`."""
    origin = importlib.util.find_spec("socket").origin
    with open(origin, encoding="utf-8") as f:
        code = compile(f.read(), origin, "exec")
    missing = object()
    saved = sys.modules.get("_socket", missing)
    sys.modules["_socket"] = extension
    try:
        exec(code, globals())
    finally:
        if saved is missing:
            del sys.modules["_socket"]
        else:
            sys.modules["_socket"] = saved


_run_socket_py(_load_extension())

# The classes were created in this module, so they would name it in repr() ("<sockref_socket.
# socket fd=3, ...>"). Loaded as a drop-in (`_socket` replaced before `import socket`), the same
# code says "socket.socket"; this module stands in for `socket`, so its classes say so too.
for _cls in (socket, SocketIO):
    _cls.__module__ = "socket"
del _cls
