"""The published results cover today's case table: no case missing, none left over.

docs/conformance-matrix.md, docs/conformance-matrix.html and docs/third-party-analysis.md are
generated from a run and committed. A table that gained, lost or renamed cases since leaves them
describing another table; this fails until they are regenerated (README.md shows the commands).
The case ids come from the parser itself (dump_cases), so parameterized cases count once per kind.
"""

import glob
import json
import re
import subprocess
import unittest

DUMP_CASES = "conformance/report/dump_cases"
CASE_FILES = "conformance/cases"
MATRIX_MD = "docs/conformance-matrix.md"
MATRIX_HTML = "docs/conformance-matrix.html"
ANALYSIS_MD = "docs/third-party-analysis.md"
REGENERATE = "regenerate it with the commands README.md shows (\"One command regenerates the matrix\")"


def table():
    """(case ids, areas) of the table as the parser reads it."""
    files = sorted(glob.glob(CASE_FILES + "/*.cases"))
    out = subprocess.run([DUMP_CASES, "--compact"] + files, stdout=subprocess.PIPE, check=True,
                         timeout=120).stdout
    cases = [json.loads(line) for line in out.splitlines() if line.strip()]  # one case a line
    return [c["id"] for c in cases], {c["file"] for c in cases}


def stated_size(path):
    """The (cases, areas) a generated document says it covers: its 'N cases in M areas'."""
    with open(path, encoding="utf-8") as f:
        m = re.search(r"^(\d+) cases in (\d+) areas", f.read(), re.M)
    if not m:
        raise AssertionError("%s does not say how many cases it covers" % path)
    return int(m.group(1)), int(m.group(2))


class PublishedResultsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ids, cls.areas = table()

    def test_the_table_is_read(self):
        self.assertGreater(len(self.ids), 1000)
        self.assertEqual(len(self.ids), len(set(self.ids)))

    def test_the_matrix_and_the_analysis_count_the_table(self):
        for path in (MATRIX_MD, ANALYSIS_MD):
            self.assertEqual(stated_size(path), (len(self.ids), len(self.areas)),
                             "%s covers another table than conformance/cases/; %s" % (path, REGENERATE))

    def test_the_matrix_page_has_a_row_for_every_case_and_no_other(self):
        with open(MATRIX_HTML, encoding="utf-8") as f:
            rows = re.findall(r'<tr class="case" data-i="\d+" data-id="([^"]*)"', f.read())
        missing = sorted(set(self.ids) - set(rows))
        extra = sorted(set(rows) - set(self.ids))
        self.assertEqual((missing[:10], extra[:10]), ([], []),
                         "%s: %d cases missing, %d not in the table; %s"
                         % (MATRIX_HTML, len(missing), len(extra), REGENERATE))


if __name__ == "__main__":
    unittest.main()
