"""Every command the documents show is exercised somewhere: a doc command that nothing runs fails.

The commands are those of every document a user reads: README.md, docs/*.md, conformance/*.md,
python/*.md, benchmarks/*.md, fuzz/*.md and impl/*.md (a new document elsewhere belongs in DOCS and
in docs/BUILD's data; test data such as conformance/report/testdata/ is no document): each line of a fenced
```sh (or bash, shell) block, continuation lines joined and comments dropped, and each inline
`bazel run|test|build //...` in backticks. docs/doc_commands.txt says, for each, what runs it,
as `RUNNER(EVIDENCE) :: COMMAND`:

    //conformance/report:report_cli_test(--impl pypy3 --impl gevent) :: bazel run //conformance:report -- ...
    .ci/run(bash ci/test.sh 2>&1) :: bash ci/setup.sh && bazel test //...

RUNNER is a test rule (//pkg:name) or .ci/run; EVIDENCE, the words with which it runs the
command, must occur in .ci/run, or in a source file of that test rule (its srcs: the test's own
code, not the program it tests). For a test that is the program itself (`bazel run //pkg:prog`
tested by a py_test of the same package whose main is prog's one source), EVIDENCE is
`main=FILE`, checked against both rules in pkg/BUILD. The test fails on a command
the list does not name, on an entry no document shows any longer (the list must not rot), on a
runner that is no test rule, and on evidence its runner does not hold. A `bazel test <one test>`
command must be exercised by that very test, since running it is the command.

One exemption, and only one: a read-only git inspection the reader types to review their own
working tree (`git diff|log|show|status ...`, READER_COMMAND) has the runner `reader`, and its
EVIDENCE is the reason no test can run it (a test has no clone, and what it shows is for the
reader to judge). Any other command marked `reader` fails.
"""

import glob
import os
import re
import sys
import unittest

DOCS = ["README.md"] + [doc for folder in ("docs", "conformance", "python", "benchmarks", "fuzz", "impl")
                        for doc in sorted(glob.glob(folder + "/*.md"))]
LIST = "docs/doc_commands.txt"
SHELL_FENCES = ("sh", "bash", "shell")
TEST_RULES = ("cc_test", "py_test", "sh_test")
# The one exemption (see the docstring): git's read-only views of the reader's own clone.
READER = "reader"
READER_COMMAND = re.compile(r"^git (diff|log|show|status)(?!.*--output)( [^;&|<>`$]*)?$")


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def normalize(command):
    return " ".join(command.split())


def fenced_commands(text):
    """The commands of the shell blocks in `text`: (line number, command)."""
    out = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        fence = re.match(r"^```(\w*)\s*$", lines[i])
        if not fence:
            i += 1
            continue
        shell = fence.group(1) in SHELL_FENCES
        i += 1
        pending, start = "", None
        while i < len(lines) and not lines[i].startswith("```"):
            line = lines[i]
            if shell:
                # A comment: a whole line, or two or more spaces then '#' after a command.
                code = "" if line.lstrip().startswith("#") else re.sub(r"\s{2,}#.*$", "", line)
                if code.strip() or pending:
                    start = start or i + 1
                    if code.rstrip().endswith("\\"):
                        pending += code.rstrip()[:-1] + " "
                    else:
                        out.append((start, normalize(pending + code)))
                        pending, start = "", None
            i += 1
        i += 1
    return out


def inline_commands(text):
    """The inline `bazel run|test|build //...` commands of `text` (outside fences)."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return [normalize(m.group(1))
            for m in re.finditer(r"`(bazel\s+(?:run|test|build)\s+[^`]*//[^`]*)`", prose)]


def documented_commands():
    """Every command of the documents: {command: [where, ...]}."""
    found = {}
    for path in DOCS:
        text = read(path)
        for line, command in fenced_commands(text):
            found.setdefault(command, []).append("%s:%d" % (path, line))
        for command in inline_commands(text):
            found.setdefault(command, []).append(path + " (inline)")
    return found


def read_list():
    """The committed list: {command: (runner, evidence)}."""
    entries = {}
    for number, line in enumerate(read(LIST).split("\n"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        runner, sep, command = line.partition(" :: ")
        match = re.match(r"^(\S+?)\((.+)\)$", runner.strip())
        if not sep or not match:
            raise AssertionError("%s:%d: expected 'RUNNER(EVIDENCE) :: COMMAND'" % (LIST, number))
        entries[normalize(command)] = (match.group(1), match.group(2))
    return entries


def test_rule_exists(label):
    """Whether `label` (//pkg:name) is a test rule declared in pkg/BUILD."""
    match = re.match(r"^//([\w/.-]*):([\w.-]+)$", label)
    if not match or not os.path.exists(os.path.join(match.group(1), "BUILD")):
        return False
    build = read(os.path.join(match.group(1), "BUILD"))
    for rule in re.finditer(r"^(\w+)\(\s*\n\s*name = \"([^\"]+)\"", build, re.M):
        if rule.group(2) == match.group(2) and rule.group(1) in TEST_RULES:
            return True
    return False


def test_sources(label):
    """The files a test rule names in its srcs: what it runs, not what it tests."""
    package, name = label[2:].split(":")
    build = read(os.path.join(package, "BUILD"))
    rule = re.search(r"\(\s*\n\s*name = \"%s\",(.*?)\n\)" % re.escape(name), build, re.S)
    srcs = re.search(r"srcs = \[(.*?)\]", rule.group(1), re.S) if rule else None
    if not srcs:
        return []
    return [os.path.join(package, f) for f in re.findall(r'"([^":]+)"', srcs.group(1))]


def rule_attribute(label, attribute):
    """The string value of `attribute` (main = "x.py") in the rule `label` (//pkg:name), or None."""
    package, name = label[2:].split(":")
    build = read(os.path.join(package, "BUILD"))
    rule = re.search(r"\(\s*\n\s*name = \"%s\",(.*?)\n\)" % re.escape(name), build, re.S)
    value = re.search(r"\n\s*%s = \"([^\"]+)\"" % attribute, rule.group(1)) if rule else None
    return value.group(1) if value else None


def runs_same_main(runner, command):
    """Whether the test `runner` is the program `command` runs (`bazel run //pkg:binary ...`):
    a py_test whose main is the binary's one source, in the same package."""
    target = re.match(r"^bazel run (//[\w/.-]*:[\w.-]+)\b", command)
    if not target or target.group(1).split(":")[0] != runner.split(":")[0]:
        return False
    main = rule_attribute(runner, "main")
    return main is not None and test_sources(target.group(1)) == [
        os.path.join(runner[2:].split(":")[0], main)]


def holds(runner, evidence, command=""):
    """Whether `evidence` occurs in .ci/run, or in the sources of the test `runner`; evidence
    `main=FILE` holds when the test's main is FILE, the one source of the program `command` runs."""
    if runner == READER:
        # The evidence is the reason; the command must be a read-only git view and nothing more.
        return bool(READER_COMMAND.match(command)) and len(evidence.split()) >= 3
    if evidence.startswith("main="):
        return (rule_attribute(runner, "main") == evidence[len("main="):] and
                runs_same_main(runner, command))
    files = [".ci/run"] if runner == ".ci/run" else test_sources(runner)
    return any(normalize(evidence) in normalize(read(f)) for f in files if os.path.isfile(f))


class DocCommandsTest(unittest.TestCase):
    def test_extraction_finds_commands_and_drops_comments(self):
        text = ("```sh\nbazel build //a:b    # what it makes\n# a comment\nx --y \\\n    z  # end\n"
                "```\n\nSee `bazel test\n//c:d_test` and `bazel run` alone.\n```\nnot a command\n```\n")
        self.assertEqual(fenced_commands(text), [(2, "bazel build //a:b"), (4, "x --y z")])
        self.assertEqual(inline_commands(text), ["bazel test //c:d_test"])

    def test_every_documented_command_is_exercised(self):
        entries = read_list()
        missing = ["%s  (%s)" % (c, ", ".join(where))
                   for c, where in sorted(documented_commands().items()) if c not in entries]
        self.assertEqual(missing, [], "commands the documents show that %s does not say what "
                         "runs: add each with the test that runs it" % LIST)

    def test_no_entry_outlives_its_command(self):
        documented = documented_commands()
        stale = [c for c in read_list() if c not in documented]
        self.assertEqual(stale, [], "entries of %s that no document shows any longer" % LIST)

    def test_main_evidence_needs_the_same_program(self):
        command = "bazel run //python:cpython_test_socket"
        self.assertTrue(holds("//python:cpython_test_socket_test", "main=cpython_test_socket.py",
                              command))
        # Another test's main, or another program, is not the command.
        self.assertFalse(holds("//python:cpython_test_socket_logic_test",
                               "main=cpython_test_socket.py", command))
        self.assertFalse(holds("//python:cpython_test_socket_test", "main=cpython_test_socket.py",
                               "bazel run //python:other_program"))

    def test_the_reader_exemption_is_only_for_git_views(self):
        reason = "reviews the reader's own working tree"
        self.assertTrue(holds(READER, reason, "git diff benchmarks/baseline.json"))
        self.assertTrue(holds(READER, reason, "git log --oneline"))
        # Anything that builds, runs, changes the tree or chains another command is not exempt,
        # and neither is an entry without its reason.
        for command in ("bazel run //benchmarks:report", "git commit -a",
                        "git checkout benchmarks/baseline.json", "git diff && rm -rf x",
                        "git diff $(make)", "git diff --output=x", "python3 benchmarks/cpython_bench.py"):
            self.assertFalse(holds(READER, reason, command), command)
        self.assertFalse(holds(READER, "why", "git diff benchmarks/baseline.json"))

    def test_every_runner_exists_and_runs_its_command(self):
        for command, (runner, evidence) in sorted(read_list().items()):
            if runner not in (".ci/run", READER):
                self.assertTrue(test_rule_exists(runner),
                                "%s is no test rule (for: %s)" % (runner, command))
            self.assertTrue(holds(runner, evidence, command),
                            "%s does not hold %r (for: %s)" % (runner, evidence, command))
            one_test = re.match(r"^bazel test (//[\w/.-]*:[\w.-]+)$", command)
            if one_test:
                self.assertEqual(runner, one_test.group(1), "running %s is the command" % runner)


if __name__ == "__main__":
    # Run from the workspace's files in the runfiles tree.
    os.chdir(os.path.join(os.environ.get("TEST_SRCDIR", "."), os.environ.get("TEST_WORKSPACE", "")))
    unittest.main()
