"""The names a statement can use (PROTOCOL.md, "Names"), and a module stand-in for ports.

    names = Namespace(socket)        # the case's variables, the builtins, `socket`
    names.bind("s", value); names.lookup("s")
    module = ExportTable("toysocket", {"htons": toysocket.htons})   # `socket` for a port
"""

import array
import builtins
import shutil
import tempfile

# The exception classes PROTOCOL.md lists among the builtins.
EXCEPTION_BUILTINS = (
    "BlockingIOError", "BrokenPipeError", "ConnectionAbortedError", "ConnectionError",
    "ConnectionRefusedError", "ConnectionResetError", "FileExistsError", "FileNotFoundError",
    "InterruptedError", "OSError", "OverflowError", "PermissionError", "TimeoutError",
    "TypeError", "ValueError",
)


def make_builtins():
    """make_builtins returns the builtins of PROTOCOL.md by name (`array` is the module)."""
    names = {
        "array": array,
        "bytearray": bytearray,
        "bytes": bytes,
        "isinstance": isinstance,
        "issubclass": issubclass,
        "len": len,
        "memoryview": memoryview,
        "repr": repr,
    }
    for n in EXCEPTION_BUILTINS:
        names[n] = getattr(builtins, n)
    return names


class Namespace:
    """One case's names, resolved in PROTOCOL.md's order: the case's variables, the builtins,
    then `socket`, the module under test. `tmpdir`, the builtin that is the case's own
    directory, is created on first use and removed by remove_tmpdir()."""

    def __init__(self, module, builtin_names=None):
        self.module = module
        self.builtins = make_builtins() if builtin_names is None else builtin_names
        self.variables = {}
        self._tmpdir = None

    def bind(self, name, value):
        self.variables[name] = value

    def lookup(self, name):
        """lookup returns the value of `name`. Raises NameError (a step's ordinary outcome) for
        a name none of the three kinds defines."""
        if name in self.variables:
            return self.variables[name]
        if name in self.builtins:
            return self.builtins[name]
        if name == "tmpdir":
            if self._tmpdir is None:
                self._tmpdir = tempfile.mkdtemp(prefix="sockref-", dir="/tmp")
            return self._tmpdir
        if name == "socket":
            return self.module
        raise NameError("name %r is not defined" % name)

    def clear(self):
        self.variables.clear()

    def remove_tmpdir(self):
        """remove_tmpdir removes the case's directory and what it holds, if it was created."""
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None


class ExportTable:
    """ExportTable stands for `socket` when the implementation is not a Python module with the
    socket API: each name the table binds is an attribute; any other raises AttributeError
    ("<name> has no 'x'"), which the kit reports as unsupported. A port to another language
    binds each name to its own function through a foreign-function interface."""

    def __init__(self, name, exports):
        self._name = name
        self._exports = dict(exports)

    def __getattr__(self, attribute):
        try:
            return self.__dict__["_exports"][attribute]
        except KeyError:
            raise AttributeError("%s has no %r" % (self.__dict__["_name"], attribute))

    def __dir__(self):
        return sorted(self._exports)

    def __repr__(self):
        return "<export table %r>" % self._name
