"""Tests of version_sweep (finding and proposing) and version_history (what changed, when)."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import version_history  # noqa: E402
import version_sweep  # noqa: E402


class VersionSweepTest(unittest.TestCase):
    def test_ranges_group_consecutive_versions(self):
        self.assertEqual(version_sweep.version_ranges(["3.6", "3.7", "3.8", "3.9"]), ["3.6-3.9"])
        self.assertEqual(version_sweep.version_ranges(["3.6", "3.8"]), ["3.6", "3.8"])
        self.assertEqual(version_sweep.version_ranges(["3.12", "3.13"]), ["3.12+"])
        self.assertEqual(version_sweep.version_ranges(["3.9", "3.10"]), ["3.9-3.10"])

    def test_only_stable_outcomes_become_expectations(self):
        self.assertEqual(version_sweep.as_expectation("OSError: [Errno 9] Bad file descriptor [EBADF]"),
                         "OSError: [Errno 9] Bad file descriptor")
        self.assertEqual(version_sweep.as_expectation("b'x'"), "b'x'")
        self.assertIsNone(version_sweep.as_expectation("unsupported: module 'socket' has no attribute 'x'"))
        self.assertIsNone(version_sweep.as_expectation("<socket.socket fd=3, family=2>"))
        self.assertIsNone(version_sweep.as_expectation(None))

    def test_versioned_lines_go_after_the_steps_own_lines(self):
        lines = ["case a.b", "  doc: 002 \"x\"", "  >>> htons(1)", "  1", "  | 2", "  elapsed: < 1",
                 "  >>> htons(2)"]
        self.assertEqual(version_sweep.insertion_line(lines, 3), 5)
        self.assertEqual(version_sweep.insertion_line(lines, 1), 2)  # after the headers

    def test_a_name_missing_in_the_oldest_versions_limits_the_case(self):
        found = {v: ("/bin/python" + v, v + ".0") for v in ["3.6", "3.7", "3.8", "3.11"]}
        diff = lambda v: {"file": "f.cases", "case_line": 3, "version": v, "verdict": "divergence",
                          "cpython": "unsupported: module 'socket' has no attribute 'create_server'"}
        headers = version_sweep.versions_headers([diff("3.6"), diff("3.7")], found)
        self.assertEqual(list(headers.values())[0].split("#")[0].strip(), "versions: 3.8+")
        # Missing in a middle version only is not a name added later: no header.
        self.assertEqual(version_sweep.versions_headers([diff("3.7")], found), {})


class VersionHistoryTest(unittest.TestCase):
    def test_a_change_is_listed_in_the_version_that_made_it(self):
        case = {"id": "t.c", "file": "t.cases", "line": 1, "steps": [
            {"source": "htons(65536)", "line": 3,
             "expected": [{"text": "OverflowError: x"}],
             "by_version": [{"versions": "3.7-3.9", "line": 5, "expected": [{"text": "0"}]}]}]}
        history = version_history.changes([case])
        self.assertEqual([(v, before, after) for v, _, _, _, before, after in history],
                         [((3, 7), "OverflowError: x", "0"), ((3, 10), "0", "OverflowError: x")])

    def test_the_committed_history_is_the_tables(self):
        committed = version_history.runfiles_root() + "/docs/version-history.md"
        with open(committed) as f:
            text = f.read()
        self.assertEqual(text, version_history.markdown(version_history.changes(
            version_history.load_cases())),
            "docs/version-history.md is stale: bazel run //conformance:version_history -- "
            "--markdown docs/version-history.md")


class ChangedInVersionTest(unittest.TestCase):
    def test_every_listed_case_exists(self):
        root = version_history.runfiles_root()
        ids = {c["id"] for c in version_history.load_cases()}
        listed = 0
        with open(os.path.join(root, "conformance", "changed_in_version.txt")) as f:
            for line in f:
                if not line.strip() or line.startswith("#"):
                    continue
                listed += 1
                cases = line.rsplit('"', 1)[1].split()
                self.assertTrue(cases, line)
                for case_id in cases:
                    self.assertIn(case_id, ids, line)
        self.assertGreaterEqual(listed, 10)


if __name__ == "__main__":
    unittest.main()
