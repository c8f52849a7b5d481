"""The documents held to what they say about validating an implementation: the guide's complete
example driver is toy_driver.py, and the commands the guide shows run and give what it shows; the
command that regenerates the published matrix (README.md, docs/third-party-analysis.md) runs, and
so do the commands that regenerate and check docs/third-party-analysis.md and the one that
regenerates docs/version-history.md.

A command is run as the document writes it, with `bazel run //T -- ARGS` taken as the built binary
of T (in this test's runfiles) run with ARGS from the workspace root, as `bazel run` would.
"""

import json
import os
import re
import shlex
import subprocess
import unittest

GUIDE = "docs/validating-your-implementation.md"
README = "README.md"
ANALYSIS = "docs/third-party-analysis.md"
CASES = "conformance/CASES.md"
HISTORY = "docs/version-history.md"
COMMAND_TIMEOUT = 280  # seconds, within the test's 300; the longest runs the whole table
LOADED_MACHINE_MULTIPLIER = "3"  # SOCKREF_TIME_MULTIPLIER for whole-table runs, unless set


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def blocks(text, language):
    """The fenced blocks of `language` in `text`, in order."""
    return re.findall(r"^```%s\n(.*?)^```$" % re.escape(language), text, re.S | re.M)


def block_containing(text, language, needle):
    found = [b for b in blocks(text, language) if needle in b]
    if len(found) != 1:
        raise AssertionError("%d %s blocks contain %r" % (len(found), language, needle))
    return found[0]


def untagged_block_containing(text, needle):
    """The one fenced block without a language (shown output) that holds `needle`. Fences are
    paired as they open and close: a closing ``` is never taken for an opening one."""
    found, body, language = [], None, None
    for line in text.split("\n"):
        if body is None and line.startswith("```"):
            body, language = [], line[3:].strip()
        elif body is not None and line.strip() == "```":
            if not language and needle in "\n".join(body):
                found.append("\n".join(body) + "\n")
            body = None
        elif body is not None:
            body.append(line)
    if len(found) != 1:
        raise AssertionError("%d untagged blocks contain %r" % (len(found), needle))
    return found[0]


# The aliases of //conformance/BUILD, by the binaries they name.
ALIASES = {"conformance:report": "conformance/report:report",
           "conformance:matrix": "conformance/report/matrix:matrix_cli",
           "conformance:version_history": "conformance/report:version_history",
           "conformance:third_party_analysis": "conformance/report:third_party_analysis"}


def as_run_here(command):
    """`command` with `bazel run //pkg:target -- ` replaced by the built binary's path."""
    def binary(match):
        package, target = ALIASES.get(match.group(1), match.group(1)).split(":")
        return os.path.join(package, target) + " "
    command = command.replace("$PWD", ".")
    return re.sub(r"bazel run //([\w/]+:\w+) -- ", binary, command)


def first_problem(report):
    """The report from its first section of problems on (the totals before it are long)."""
    starts = [report.find(h) for h in ("\nTABLE VS CPYTHON", "\nORACLE UNSTABLE", "\nFAILURES")]
    starts = [i for i in starts if i >= 0]
    return report[min(starts):][:8000] if starts else report[-8000:]


def trio_installed():
    return subprocess.run(["/usr/bin/python3", "-c", "import trio"],
                          stderr=subprocess.DEVNULL).returncode == 0


def without_volatile(reply):
    """A reply without what differs from run to run and machine to machine."""
    reply = dict(reply)
    for key in ("elapsed", "started_at", "interpreter", "python_version"):
        reply.pop(key, None)
    if "capabilities" in reply:
        reply["capabilities"] = [c for c in reply["capabilities"] if c not in ("root", "nonroot")]
    return reply


def scratch():
    return os.environ.get("TEST_TMPDIR", "/tmp")


def without_line_numbers(text):
    """`text` with case file locations and line numbers blanked: they move whenever a case file
    is edited above the case, and where the files are differs between `bazel run` and a test."""
    text = re.sub(r"\((?:\S*/)?conformance/cases/([\w.]+):\d+\)", r"(\1:N)", text)
    return re.sub(r"\bline \d+:", "line N:", text)


class CommandTest(unittest.TestCase):
    def run_shown(self, command, env=None, status=0):
        proc = subprocess.run(["bash", "-c", "set -e -o pipefail\n" + as_run_here(command)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=COMMAND_TIMEOUT, env=env)
        self.assertEqual(proc.returncode, status, "%s\nstdout, from the first problem: %s\nstderr: %s" % (
            command, first_problem(proc.stdout.decode()), proc.stderr.decode()[-2000:]))
        return proc.stdout.decode()


class GuideTest(CommandTest):
    guide = read(GUIDE)

    def test_the_complete_example_driver_is_toy_driver_py(self):
        shown = block_containing(self.guide, "python", '"""A minimal sockref-driver/1 driver')
        self.assertEqual(shown, read("conformance/drivers/examples/toy_driver.py"))

    def test_the_hand_written_conversation_gives_the_replies_shown(self):
        command = block_containing(self.guide, "sh", "| python3 toy_driver.py")
        shown_output = blocks(self.guide, "")[[i for i, b in enumerate(blocks(self.guide, ""))
                                               if '"implementation": "toysocket"' in b][0]]
        got = [json.loads(line) for line in self.run_shown(command).splitlines()]
        shown = [json.loads(line) for line in shown_output.splitlines()]
        self.assertEqual([without_volatile(r) for r in got], [without_volatile(r) for r in shown])
        self.assertRegex(got[0]["python_version"], r"^3\.\d+$")
        self.assertIn(got[0]["capabilities"], (["root", "signals"], ["nonroot", "signals"]))

    def test_dump_cases_prints_the_statements(self):
        command = block_containing(self.guide, "sh", "dump_cases")
        output = self.run_shown(command)
        self.assertIn('"example_inet.htons.sixteen_bit_range"', output)
        self.assertIn('"htons"', output)

    def test_the_toy_matrix_command_gives_the_byte_order_results_shown(self):
        command = block_containing(self.guide, "sh", "--markdown /tmp/toy-matrix.md")
        command = command.replace("/tmp/toy-matrix", os.path.join(scratch(), "toy-matrix"))
        # Status 1: the toy's two failures are in no expectations file yet (section 6 adds one).
        output = self.run_shown(command.rstrip() + " --filter 'byteorder.*'", status=1)
        totals = untagged_block_containing(self.guide, "By implementation")
        for line in totals.splitlines():
            self.assertIn("\n" + line + "\n", output, "the guide's totals line is not what the "
                          "command prints:\n%s\n%s" % (line, first_problem(output)))
        failure = untagged_block_containing(self.guide, "  FAIL toy  byteorder.")
        self.assertIn(without_line_numbers(failure), without_line_numbers(output))
        self.assertIn("| toy |", read(os.path.join(scratch(), "toy-matrix.md")))
        self.assertIn('data-id="byteorder.', read(os.path.join(scratch(), "toy-matrix.html")))

    @unittest.skipUnless(trio_installed(), "Debian's python3-trio is not installed")
    def test_the_trio_report_command_passes_with_trio_s_expectations(self):
        command = block_containing(self.guide, "sh", "--impl trio")
        # The whole table's timings, CPython's included, on a machine that runs other tests at
        # the same time: widened as the guide advises for a loaded machine.
        env = dict(os.environ)
        env.setdefault("SOCKREF_TIME_MULTIPLIER", LOADED_MACHINE_MULTIPLIER)
        output = self.run_shown(command, env)  # status 0: every result a pass or as listed
        self.assertIn("Result: OK", output)
        self.assertRegex(output, r"\n  trio +\d+ +\d+")


class PublishedMatrixCommandTest(CommandTest):
    """The command that regenerates docs/conformance-matrix.*, shown in README.md and the
    analysis, run on the byte-order and inet areas (no timing, no hang: the whole table's timings
    are not reproducible on a loaded test machine) with its outputs in a scratch directory."""

    def test_the_matrix_command_runs_on_every_registered_column(self):
        needle = "--markdown docs/conformance-matrix.md"
        command = block_containing(read(README), "sh", needle)
        self.assertEqual(command, block_containing(read(ANALYSIS), "sh", needle))
        scratch = os.environ.get("TEST_TMPDIR", "/tmp")
        command = command.replace("docs/conformance-matrix", os.path.join(scratch, "matrix"))
        command = command.replace("/tmp/version-history.json",
                                  os.path.join(scratch, "version-history.json"))
        if os.environ.get("ASAN_OPTIONS") or os.environ.get("TSAN_OPTIONS"):
            # A sanitizer build's extension cannot be loaded by a plain interpreter at all
            # (conformance/release/dist_test.sh says the same): its column is left out here.
            print("NOTE: reference-python not run: the extension is sanitizer-instrumented")
            command = command.replace("--impl reference-python ", "")
        output = self.run_shown(command.rstrip() + " --filter 'byteorder.*' --filter 'inet.*'")
        self.assertIn("Result: OK", output)
        for name in re.findall(r"--impl ([\w-]+)", command):
            self.assertRegex(output, r"\n  %s +\d+" % re.escape(name))
        self.assertIn("| trio |", read(os.path.join(scratch, "matrix.md")))


class VersionHistoryCommandTest(CommandTest):
    """The command that regenerates docs/version-history.md (CASES.md shows it, the page names
    it), run with the page written to a scratch directory: it writes the committed page."""

    def test_the_command_writes_the_committed_page(self):
        needle = "--markdown docs/version-history.md"
        lines = [c for c in block_containing(read(CASES), "sh", needle).splitlines() if needle in c]
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("Generated by `%s`" % lines[0], read(HISTORY))
        page = os.path.join(scratch(), "version-history.md")
        output = self.run_shown(lines[0].replace("docs/version-history.md", page))
        self.assertRegex(output, r"^version_history: \d+ changes in \d+ versions$")
        self.assertEqual(read(page), read(HISTORY), "%s is not what its command writes" % HISTORY)


class AnalysisCommandsTest(CommandTest):
    """The commands docs/third-party-analysis.md shows for regenerating itself: the run (on the
    byte-order and inet areas, for the reasons above) into a scratch results file, the generator
    from it into a scratch page, and the check of the committed page, which needs no run."""

    def test_the_run_the_generator_and_the_check_run(self):
        block = block_containing(read(ANALYSIS), "sh", "--json /tmp/analysis.json")
        commands = [" ".join(c.split()) for c in block.replace("\\\n", " ").splitlines()]
        self.assertEqual(len(commands), 3, commands)
        run, generate, check = commands
        self.assertTrue(run.startswith("bazel run //conformance:report -- "), run)
        scratch = os.environ.get("TEST_TMPDIR", "/tmp")
        results = os.path.join(scratch, "analysis.json")
        page = os.path.join(scratch, "third-party-analysis.md")
        output = self.run_shown(run.replace("/tmp/analysis.json", results) +
                                " --filter 'byteorder.*' --filter 'inet.*'")
        self.assertIn("Result: OK", output)
        self.assertIn("--markdown docs/third-party-analysis.md", generate)
        self.run_shown(generate.replace("/tmp/analysis.json", results)
                       .replace("docs/third-party-analysis.md", page))
        text = read(page)
        self.assertIn("Generated by `bazel run //conformance:third_party_analysis -- --json "
                      "/tmp/analysis.json --markdown docs/third-party-analysis.md`", text)
        for name in re.findall(r"--impl ([\w-]+)", run):
            self.assertIn("| %s" % name, text.replace("| [", "| "))
        self.assertIn("lists the", self.run_shown(check))

if __name__ == "__main__":
    unittest.main(verbosity=2)
