"""Holds issue 9's size rule over the production sources: no file over 600 lines, no function
over 60 lines unless the comment right above its definition says why with `long-function:`.

Production sources are the .cc, .h and .py files under impl/, conformance/, python/, benchmarks/
and fuzz/, except tests (`*_test.*`) and test data (`testdata/`). Python functions are measured
with the ast module; C++ functions with universal-ctags (ci/setup.sh installs it), the tool the
issue measured them with: a machine without it fails this test rather than skipping it.

    python3 ci/source_limits_test.py                   # the workspace this file is in
    bazel test //ci:source_limits_test                 # the same, never cached (tags: external)

A function that is one linear thing (a dispatch table, a generated document) may stay long with
its reason, e.g. in C++:

    // long-function: one case per kind of the protocol's expressions, a flat dispatch.
    Expr ExprFromJson(const nlohmann::json& j) {
"""
import ast
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 60
MARKER = "long-function:"
SOURCE_DIRS = ("impl", "conformance", "python", "benchmarks", "fuzz")
EXTENSIONS = (".cc", ".h", ".py")


def workspace_root():
    """The source workspace: from a runfiles copy of README.md under Bazel (followed back to the
    source tree, so that every file is seen, not only declared inputs), else this file's parent."""
    runfiles = os.environ.get("TEST_SRCDIR")
    if runfiles:
        readme = os.path.join(runfiles, os.environ.get("TEST_WORKSPACE", "__main__"), "README.md")
        return os.path.dirname(os.path.realpath(readme))
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def is_production(relative_path):
    parts = relative_path.split(os.sep)
    name = parts[-1]
    stem = name.rsplit(".", 1)[0]
    return (name.endswith(EXTENSIONS) and not stem.endswith("_test") and
            "testdata" not in parts and not any(p.startswith(("bazel-", ".")) for p in parts))


def production_sources(root):
    """Workspace-relative paths of the production sources, sorted."""
    out = []
    for top in SOURCE_DIRS:
        for directory, dirs, files in os.walk(os.path.join(root, top)):
            dirs[:] = sorted(d for d in dirs if d != "testdata" and not d.startswith("."))
            for name in files:
                relative = os.path.relpath(os.path.join(directory, name), root)
                if is_production(relative):
                    out.append(relative)
    return sorted(out)


def python_functions(text):
    """(first line, last line, name) of every function and method of a Python source."""
    out = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append((node.lineno, node.end_lineno, node.name))
    return out


def cpp_functions(root, paths):
    """{path: [(first line, last line, name)]} of the C++ function definitions, from ctags."""
    ctags = shutil.which("ctags")
    if not ctags:
        raise RuntimeError("ctags not found: install universal-ctags (ci/setup.sh does)")
    if not paths:
        return {}
    result = subprocess.run(
        [ctags, "--languages=C++", "--map-C++=+.h", "--kinds-C++=f", "--fields=+ne", "-x",
         "--_xformat=%{line} %{end} %N %F"] + paths,
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    if result.returncode != 0 or "Universal" not in subprocess.run(
            [ctags, "--version"], stdout=subprocess.PIPE, text=True).stdout:
        raise RuntimeError("ctags failed (universal-ctags is needed): " + result.stderr.strip())
    out = {}
    for line in result.stdout.splitlines():
        first, last, name, path = line.split(" ", 3)
        if last.isdigit():
            out.setdefault(path, []).append((int(first), int(last), name))
    return out


def has_reason(lines, first):
    """Whether the comment right above line `first` (1-based; decorators and `template <...>`
    lines between them skipped), or line `first` itself, holds the marker."""
    if MARKER in lines[first - 1]:
        return True
    i = first - 2
    while i >= 0 and lines[i].strip().startswith(("@", "template")):
        i -= 1
    while i >= 0 and lines[i].strip().startswith(("#", "//")):
        if MARKER in lines[i]:
            return True
        i -= 1
    return False


def problems(root):
    """One line per file over MAX_FILE_LINES and per function over MAX_FUNCTION_LINES without
    a reason."""
    found = []
    paths = production_sources(root)
    cpp = cpp_functions(root, [p for p in paths if not p.endswith(".py")])
    for path in paths:
        with open(os.path.join(root, path), encoding="utf-8") as f:
            text = f.read()
        lines = text.split("\n")
        count = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        if count > MAX_FILE_LINES:
            found.append("%s: %d lines (at most %d: split it along its ideas)"
                         % (path, count, MAX_FILE_LINES))
        functions = python_functions(text) if path.endswith(".py") else cpp.get(path, [])
        for first, last, name in functions:
            length = last - first + 1
            if length > MAX_FUNCTION_LINES and not has_reason(lines, first):
                found.append("%s:%d: %s is %d lines (at most %d, or a `%s` comment above it "
                             "saying why)" % (path, first, name, length, MAX_FUNCTION_LINES,
                                              MARKER))
    return found


class WorkspaceTest(unittest.TestCase):
    def test_the_workspace_keeps_the_limits(self):
        root = workspace_root()
        self.assertTrue(os.path.isdir(os.path.join(root, "impl")), root)
        self.assertGreater(len(production_sources(root)), 100)
        found = problems(root)
        self.assertEqual(found, [], "\n" + "\n".join(found))


def cpp_function(name, body_lines):
    return ["int %s() {" % name] + ["  x += %d;" % i for i in range(body_lines)] + ["}"]


def py_function(name, body_lines):
    return ["def %s():" % name] + ["    x = %d" % i for i in range(body_lines)]


class SelfTest(unittest.TestCase):
    """The check on small trees: each limit is found, and nothing else is."""

    def setUp(self):
        self.root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.root)

    def write(self, path, lines):
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")

    def test_file_lengths(self):
        self.write("impl/ok.cc", ["// x"] * MAX_FILE_LINES)
        self.write("impl/long.cc", ["// x"] * (MAX_FILE_LINES + 1))
        self.write("python/long.py", ["# x"] * (MAX_FILE_LINES + 1))
        self.write("impl/long_test.cc", ["// x"] * 2000)
        self.write("conformance/testdata/long.py", ["# x"] * 2000)
        self.write("docs/long.py", ["# x"] * 2000)
        self.assertEqual(problems(self.root), [
            "impl/long.cc: 601 lines (at most 600: split it along its ideas)",
            "python/long.py: 601 lines (at most 600: split it along its ideas)"])

    def test_function_lengths(self):
        self.write("fuzz/f.cc", cpp_function("Fits", MAX_FUNCTION_LINES - 2) +
                   cpp_function("TooLong", MAX_FUNCTION_LINES - 1) +
                   ["// Why it is long:", "// long-function: a flat table."] +
                   cpp_function("Excused", 200))
        self.write("benchmarks/f.py", py_function("fits", MAX_FUNCTION_LINES - 1) +
                   py_function("too_long", MAX_FUNCTION_LINES) +
                   ["# long-function: a generated document, line by line.", "@staticmethod"] +
                   py_function("excused", 200) + ["# long-function: not above a function"] +
                   ["x = 1"] + py_function("unexcused", 100))
        self.write("benchmarks/f_test.py", py_function("test_long", 200))
        found = [p.split(" (")[0] for p in problems(self.root)]
        self.assertEqual(found, ["benchmarks/f.py:61: too_long is 61 lines",
                                 "benchmarks/f.py:327: unexcused is 101 lines",
                                 "fuzz/f.cc:61: TooLong is 61 lines"])


if __name__ == "__main__":
    unittest.main()
