"""sockref_extension: loads sockref's CPython extension (_sockref_socket.so) from a given file.

    extension = sockref_extension.load("bazel-bin/python/_sockref_socket.so")
    import sockref_socket        # Lib/socket.py on exactly that file

The module is registered as sys.modules["_sockref_socket"], where sockref_socket looks before
searching, so a benchmark or a test chooses the build (fastbuild, -c opt) that socket runs on.
run_under() puts a script in the interpreter the extension is built for; add_arguments() gives a
script the two options that choose the extension's file and that interpreter.
"""

import importlib.machinery
import importlib.util
import os
import sys

NAME = "_sockref_socket"
BUILT_BESIDE = os.path.join(os.path.dirname(os.path.abspath(__file__)), NAME + ".so")
DEBIAN_PYTHON = "/usr/bin/python3"  # the CPython the extension is built against


def add_arguments(parser, sockref_help="sockref's extension module",
                  python_help="interpreter to run under (the script re-runs itself there)"):
    """Adds --sockref (the extension's file, by default the one built beside this module) and
    --python (by default Debian's CPython) to an argparse parser."""
    parser.add_argument("--sockref", default=BUILT_BESIDE, help=sockref_help)
    parser.add_argument("--python", default=DEBIAN_PYTHON, help=python_help)


def load(path):
    """Loads the extension at `path` as _sockref_socket (once per process) and returns it."""
    if NAME in sys.modules:
        return sys.modules[NAME]
    path = os.path.abspath(path)
    loader = importlib.machinery.ExtensionFileLoader(NAME, path)
    module = importlib.util.module_from_spec(
        importlib.util.spec_from_file_location(NAME, path, loader=loader))
    loader.exec_module(module)
    sys.modules[NAME] = module
    return module


def run_under(python, script):
    """Re-executes `script` with this process's arguments under `python`, unless this is it.

    The extension is built against Debian's CPython (/usr/bin/python3, or its debug build), while
    Bazel's py_test starts whichever python3 comes first on PATH.
    """
    if os.path.realpath(sys.executable) != os.path.realpath(python):
        os.execv(python, [python, os.path.abspath(script)] + sys.argv[1:])
