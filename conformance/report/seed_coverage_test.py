"""Tests of seed_coverage.py, and its check of the real table against seed 002.

The unit tests use small made-up flattened texts. SeedCoverageTest runs `--check`'s logic over
conformance/cases and conformance/seed_002_uncited.txt against the seed when it finds it
($SOCKREF_SEEDS_DIR, else ../shared/seeds beside the workspace); without the seed it is reported
as skipped, with where it looked, never as passed (as //conformance/language:case_parser_test
does): the JUnit XML Bazel keeps says "skipped".
"""
import os
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seed_coverage as sc  # noqa: E402


def flatten(lines):
    """The seed's flattened form of source lines: `1first 2second 3 4fourth`."""
    return " ".join("%d%s" % (i, line) for i, line in enumerate(lines, 1))


def sentences_of(lines):
    return [s.text for s in sc.seed_sentences("header\n" + flatten(lines))[2]]


class SourceLinesTest(unittest.TestCase):
    def test_numbers_come_back_out(self):
        lines = ["Title", "=====", "", "Some text.", " indented", "", "more"]
        self.assertEqual(sc.source_lines(flatten(lines)), lines)

    def test_a_number_inside_a_line_is_not_the_next_line_number(self):
        # Line 2 mentions " 3" and " 4" before their markers: taking them would leave line 4
        # holding the rest of line 2 and lines 3 and 4, far beyond the source's 80 columns.
        lines = ["The first line of wrapped prose, as long as the lines of the seed are, or so.",
                 "The second mentions 3 sockets and 4 addresses, then goes on to the margin.",
                 "The third line is prose as well, wrapped like the others at column eighty.",
                 "The fourth."]
        self.assertEqual(sc.source_lines(flatten(lines)), lines)

    def test_indentation_and_blank_lines_survive(self):
        self.assertEqual(sc.source_lines("1a 2 b 3 4c"), ["a", " b", "", "c"])

    def test_numbers_out_of_order_are_an_error(self):
        with self.assertRaises(ValueError):
            sc.source_lines("0a 2b")

    def test_the_flattened_line_is_found_among_others(self):
        text = "/Doc/library/socket.rst\nstats | 3 lines\n\n" + flatten(["a", "b", "c"])
        self.assertEqual(sc.source_lines(sc.flattened_text(text)), ["a", "b", "c"])


class SentencesTest(unittest.TestCase):
    def test_prose_splits_into_sentences(self):
        self.assertEqual(sentences_of(["One sentence. Another (e.g. this one) goes", "on. Last"]),
                         ["One sentence.", "Another (e.g. this one) goes on.", "Last"])

    def test_titles_directives_comments_and_code_hold_no_sentences(self):
        lines = ["Title", "-----", "", ".. function:: f(x)", " g(y)", "", " Does f.",
                 "", ".. index:: thing", "", "..", " XXX: a comment.", "",
                 "Example::", "", " >>> f(1)", " 2", "", "After it."]
        self.assertEqual(sentences_of(lines), ["Does f.", "Example::", "After it."])

    def test_version_notes_and_notes_are_prose(self):
        lines = [".. versionchanged:: 3.3", " It changed.", "", ".. note::", " Careful."]
        self.assertEqual(sentences_of(lines), ["It changed.", "Careful."])

    def test_list_items_are_paragraphs(self):
        self.assertEqual(sentences_of(["- first item", " - second item"]),
                         ["- first item", "- second item"])

    def test_sections_are_the_documented_object(self):
        seed = "x\n" + flatten([".. method:: socket.recv(n)", "", " Receives.", "",
                                "Plain text."])
        self.assertEqual([(s.section, s.text) for s in sc.seed_sentences(seed)[2]],
                         [("socket.recv", "Receives."), ("", "Plain text.")])


class CoverageTest(unittest.TestCase):
    SEED = "x\n" + flatten([
        ".. method:: socket.recv(n)", "", " Receive data. It blocks.", "",
        ".. method:: socket.recvfrom(n)", "", " Receive data. It also blocks.", "",
        "Intro sentence here. Windows only."])

    def coverage(self, cases, uncited):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "t.cases")
            with open(path, "w") as f:
                f.write(cases)
            listed = os.path.join(tmp, "uncited.txt")
            with open(listed, "w") as f:
                f.write(uncited)
            return sc.Coverage(self.SEED, [path], listed)

    def status(self, cov):
        return [(s.text, cov.status(s)) for s in cov.sentences]

    def test_a_fragment_placed_by_another_one_of_its_case(self):
        cov = self.coverage('case t.x.y\n  doc: 002 "Receive data."\n  doc: 002 "It also"\n',
                            'not-behaviour "Intro": intro\nother-platform "Windows": why\n'
                            'untestable "It blocks.": why\n'
                            'untestable "Receive data." @socket.recv: why\n')
        self.assertEqual(cov.problems, [])
        self.assertEqual(cov.ambiguous, [])
        self.assertEqual(self.status(cov)[2:4], [("Receive data.", "cited"),
                                                 ("It also blocks.", "cited")])

    def test_a_fragment_placed_by_the_case_id(self):
        cov = self.coverage('case t.recvfrom.y\n  doc: 002 "Receive data."\n', "")
        self.assertEqual([s.line for s in cov.sentences if s.cited_by], [7])

    def test_an_unplaced_fragment_counts_nowhere(self):
        cov = self.coverage('case t.other.y\n  doc: 002 "Receive data."\n', "")
        self.assertEqual(len(cov.ambiguous), 1)
        self.assertFalse(any(s.cited_by for s in cov.sentences))

    def test_a_fragment_running_into_the_next_sentence_cites_only_its_own(self):
        cov = self.coverage('case t.recv.y\n  doc: 002 "Receive data. It"\n', "")
        self.assertEqual([s.text for s in cov.sentences if s.cited_by], ["Receive data."])

    def test_uncovered_and_stale_entries_are_problems(self):
        cov = self.coverage('case t.recv.y\n  doc: 002 "It blocks."\n',
                            'untestable "It blocks.": now cited\n'
                            'untestable "no such words": stale\n'
                            'untestable "Receive data.": in two sections\n')
        problems = "\n".join(cov.problems)
        self.assertIn("uncited.txt:1: stale: line 3 'It blocks.' is cited by t.recv.y", problems)
        self.assertIn("uncited.txt:2: stale: 'no such words' matches no sentence", problems)
        self.assertIn("neither cited nor listed: Intro sentence here.", problems)

    def test_malformed_lines_are_rejected(self):
        for text, message in [('oops "x": y\n', "unknown reason 'oops'"),
                              ('untestable "x"\n', "say why"),
                              ("untestable x: y\n", "expected `reason")]:
            with self.assertRaises(ValueError) as raised:
                self.coverage("", text)
            self.assertIn(message, str(raised.exception))

    def test_citations_keep_their_case_and_unescape(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "a.cases")
            with open(path, "w") as f:
                f.write('case a.b.c\n  doc: 002 "say \\"hi\\""  # note\n  doc: 001 "other"\n')
            self.assertEqual(sc.case_citations([path]), [("a.b.c", path, 2, 'say "hi"')])


class SeedCoverageTest(unittest.TestCase):
    def test_every_sentence_is_cited_or_listed(self):
        looked = sc.seeds_candidates()
        seed = next((sc.find_seed(d) for d in looked if os.path.isdir(d) and sc.find_seed(d)),
                    None)
        if seed is None:
            self.skipTest("seed %s not found (looked in %s); set SOCKREF_SEEDS_DIR to check the "
                          "table's coverage of it" % (sc.SEED, ", ".join(looked)))
        root = sc.runfiles_root()
        cases = sorted(os.path.join(root, "conformance", "cases", name)
                       for name in os.listdir(os.path.join(root, "conformance", "cases"))
                       if name.endswith(".cases"))
        with open(seed, encoding="utf-8") as f:
            cov = sc.Coverage(f.read(), cases, os.path.join(root, "conformance",
                                                             sc.UNCITED_NAME))
        sc.report(cov, sys.stdout)
        self.assertEqual(cov.problems, [], "\n".join(cov.problems) +
                         "\nrun conformance/report/seed_coverage.py --check")


def write_junit(result, seconds, path):
    """JUnit XML as GoogleTest writes it, so Bazel and ci/summarize_tests.py count skips."""
    suite = ET.Element("testsuite", name="seed_coverage_test", tests=str(result.testsRun),
                       failures=str(len(result.failures)), errors=str(len(result.errors)),
                       skipped=str(len(result.skipped)), time="%.3f" % seconds)
    outcome = {}
    for test, text in result.failures:
        outcome[test.id()] = ("failure", text)
    for test, text in result.errors:
        outcome[test.id()] = ("error", text)
    for test, text in result.skipped:
        outcome[test.id()] = ("skipped", text)
    for test_id in result.ran:
        classname, _, name = test_id.rpartition(".")
        kind, text = outcome.get(test_id, (None, None))
        case = ET.SubElement(suite, "testcase", name=name, classname=classname,
                             status="run", result="skipped" if kind == "skipped" else "completed")
        if kind:
            ET.SubElement(case, kind, message=text.strip().splitlines()[-1]).text = text
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


class RecordingResult(unittest.TextTestResult):
    def startTest(self, test):
        super().startTest(test)
        self.ran = getattr(self, "ran", []) + [test.id()]


if __name__ == "__main__":
    start = time.time()
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    runner = unittest.TextTestRunner(verbosity=2, resultclass=RecordingResult)
    result = runner.run(suite)
    if os.environ.get("XML_OUTPUT_FILE"):
        write_junit(result, time.time() - start, os.environ["XML_OUTPUT_FILE"])
    for test, reason in result.skipped:
        print("SKIPPED %s: %s" % (test.id(), reason))
    sys.exit(0 if result.wasSuccessful() else 1)
