"""The exception codec: an exception -> PROTOCOL.md's {"raised": ...} body ("Exceptions").

    ExceptionCodec(socket).encode(socket.gaierror(-2, "Name or service not known"))
    -> {"type": "socket.gaierror", "mro": ["socket.gaierror", "OSError", ...],
        "errno": -2, "errno_name": "EAI_NONAME", "str": "[Errno -2] Name or service not known"}
"""

import errno


class ExceptionCodec:
    """Names exceptions as a traceback of code using `module` (the module under test) would."""

    def __init__(self, module):
        self.module = module

    def class_name(self, cls):
        """class_name returns the bare name for builtins, "socket.<name>" for a class the module
        under test exports under that name (whatever module defined it), else module.qualname."""
        if cls.__module__ == "builtins":
            return cls.__qualname__
        if getattr(self.module, cls.__name__, None) is cls:
            return "socket." + cls.__name__
        return "%s.%s" % (cls.__module__, cls.__qualname__)

    def errno_name(self, exc, code):
        """errno_name returns the name of errno `code`: the module's EAI_* constant for a
        gaierror, None for an herror (h_errno has no names), else errno.errorcode's."""
        if isinstance(exc, self._exported_class("gaierror")):
            for name in dir(self.module):
                if name.startswith("EAI_") and getattr(self.module, name, None) == code:
                    return name
            return None
        if isinstance(exc, self._exported_class("herror")):
            return None
        return errno.errorcode.get(code)

    def _exported_class(self, name):
        cls = getattr(self.module, name, None)
        return cls if isinstance(cls, type) else ()

    def encode(self, exc):
        """encode returns the {"raised": ...} body for `exc`. Never raises."""
        code = getattr(exc, "errno", None) if isinstance(exc, OSError) else None
        if not isinstance(code, int) or isinstance(code, bool):
            code = None
        try:
            text = str(exc)
        except BaseException:  # a __str__ that raises must not take the driver down
            text = "<str() failed>"
        return {
            "type": self.class_name(type(exc)),
            "mro": [self.class_name(c) for c in type(exc).__mro__],
            "errno": code,
            "errno_name": None if code is None else self.errno_name(exc, code),
            "str": text,
        }
