"""The matrix page in a real browser: Debian's headless Chromium, driven over DevTools.

For a page drawn by `matrix --from-json` from results holding every verdict, and for the
published docs/conformance-matrix.html:
  * it loads with no console error;
  * clicking a column's header sorts the rows by that implementation's verdicts, and again
    reverses them;
  * clicking a count in the totals filters the matrix to those cases;
  * clicking a cell opens its details, with both outcomes;
  * every verdict glyph (and the sort arrows) is drawn from a font Debian has by default, not as
    the missing-glyph box: each is rendered on a canvas in the page's own font and compared with
    the rendering of unassigned code points, which can only be the box;
  * it names interpreters without their directories (no /root/..., no /home/...);
  * the published page shows the table's version history ("What changed, when"), rendered;
  * the sticky filter bar covers neither a heading jumped to nor the matrix's header row.

Chromium is required, not optional: ci/setup.sh installs it, so its absence fails the test with
what to do. Screenshots go to $TEST_UNDECLARED_OUTPUTS_DIR (bazel-testlogs/.../test.outputs/).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp_pipe  # noqa: E402

CHROMIUM = os.environ.get("SOCKREF_CHROMIUM", "/usr/bin/chromium")
MATRIX = "conformance/report/matrix/matrix_cli"
RESULTS = "conformance/report/matrix/testdata/every_verdict.json"
PUBLISHED = "docs/conformance-matrix.html"

# What a canvas draws for a code point no font has: unassigned ones, so surely the box.
MISSING = ["\u0378", "\u0379", "\U0010fffd"]

# GLYPHS_JS returns, for each glyph of the page's legend and the sort arrows, whether the page's
# font draws it as the missing-glyph box (the same pixels as an unassigned code point) or blank.
GLYPHS_JS = r"""(() => {
  const family = getComputedStyle(document.querySelector('.legend span')).fontFamily;
  function pixels(ch) {
    const c = document.createElement('canvas');
    c.width = 64; c.height = 64;
    const g = c.getContext('2d');
    g.fillStyle = '#fff'; g.fillRect(0, 0, 64, 64);
    g.fillStyle = '#000'; g.font = '40px ' + family; g.textBaseline = 'middle';
    g.fillText(ch, 8, 32);
    return Array.from(g.getImageData(0, 0, 64, 64).data);
  }
  const same = (a, b) => a.every((v, i) => v === b[i]);
  const missing = %(missing)s.map(pixels);
  const glyphs = Array.from(document.querySelectorAll('.legend span[class^="v-"]'))
      .map(s => Array.from(s.textContent)[0]).concat(['\u25b2', '\u25bc']);
  const hourglass = '\u231b';  // the hang glyph the page once had
  const blank = pixels(' ');
  return {
    family: family,
    missingAgree: missing.every(m => same(m, missing[0])),
    letterDiffers: !same(pixels('A'), missing[0]),
    glyphs: glyphs.map(ch => ({glyph: ch, box: missing.some(m => same(pixels(ch), m)),
                               blank: same(pixels(ch), blank)})),
    hourglassIsBox: missing.some(m => same(pixels(hourglass), m)),
  };
})()"""

# HISTORY_JS returns the page's version history section as the browser renders it: its heading,
# the versions (h3) and entries (table rows) up to the next h2 that are drawn with a size, or
# null when the page has none.
HISTORY_JS = r"""(() => {
  const h = document.getElementById('history');
  if (!h) return null;
  const visible = e => {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const versions = [], entries = [];
  for (let e = h.nextElementSibling; e && e.tagName !== 'H2'; e = e.nextElementSibling) {
    if (e.tagName === 'H3' && visible(e)) versions.push(e.innerText.trim());
    if (e.tagName !== 'TABLE' || !visible(e)) continue;
    for (const row of e.querySelectorAll('tr')) {
      if (row.querySelector('td') && visible(row)) entries.push(row.cells[0].innerText.trim());
    }
  }
  return {title: h.innerText.trim(), visible: visible(h), versions: versions,
          count: entries.length, first: entries.length ? entries[0] : ''};
})()"""


def fonts_covering(glyph):
    """The installed font families that have `glyph`, as fontconfig sees them."""
    out = subprocess.run(["fc-list", ":charset=%x" % ord(glyph), "family"], stdout=subprocess.PIPE,
                         timeout=30, check=True).stdout.decode()
    return sorted(set(out.split()))


def visible_ids(page, area=None):
    """The case ids of the matrix's visible rows, in order (of one area's tbody if given)."""
    scope = '#m tbody[data-area="%s"]' % area if area else "#m"
    return page.evaluate("""Array.from(document.querySelectorAll('%s tr.case'))
        .filter(r => r.offsetParent !== null).map(r => r.dataset.id)""" % scope)


class MatrixPageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(CHROMIUM, os.X_OK):
            raise AssertionError(
                "%s not found: the browser test needs Debian's chromium (bash ci/setup.sh installs "
                "it; or apt-get install chromium)" % CHROMIUM)
        cls.tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        cls.outputs = os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR", cls.tmp)
        cls.generated = os.path.join(cls.tmp, "every_verdict.html")
        run = subprocess.run([MATRIX, "--from-json", RESULTS, "--html", cls.generated],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        # Exit status 1: the results hold failures on purpose; the page is written all the same.
        if run.returncode not in (0, 1) or not os.path.exists(cls.generated):
            raise AssertionError("matrix --from-json failed: %s" % run.stdout.decode())
        cls.browser = cdp_pipe.Browser(CHROMIUM, cls.tmp)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def open(self, path):
        page = self.browser.new_page()
        page.navigate("file://" + os.path.abspath(path))
        return page

    def save_screenshot(self, page, name):
        with open(os.path.join(self.outputs, name), "wb") as f:
            f.write(page.screenshot())

    def test_generated_page_loads_without_console_errors(self):
        page = self.open(self.generated)
        self.assertEqual(page.evaluate("document.querySelectorAll('#m tr.case').length"), 8)
        self.assertEqual(page.evaluate("document.getElementById('f-count').textContent"),
                         "8 of 8 cases shown")
        self.assertEqual(page.console_errors, [])

    def test_clicking_a_header_sorts_by_that_implementations_verdicts(self):
        page = self.open(self.generated)
        page.click('#m thead th[data-sort="1"]')  # green: failures first, passes last
        self.assertEqual(visible_ids(page, "accept"),
                         ["accept.b.fail", "accept.g.unstable", "accept.c.crash", "accept.d.hang",
                          "accept.e.unsupported", "accept.a.pass", "accept.f.divergence"])
        self.assertEqual(page.evaluate(
            "document.querySelector('#m thead th[data-sort=\"1\"]').dataset.dir"), "1")
        page.click('#m thead th[data-sort="1"]')  # again: reversed
        self.assertEqual(visible_ids(page, "accept")[-2:], ["accept.b.fail", "accept.g.unstable"])
        self.assertEqual(page.evaluate(
            "document.querySelector('#m thead th[data-sort=\"1\"]').dataset.dir"), "-1")
        self.save_screenshot(page, "sorted.png")
        self.assertEqual(page.console_errors, [])

    def test_clicking_a_count_filters_to_those_cases(self):
        page = self.open(self.generated)
        page.click('span[data-filter-impl="1"][data-filter-verdict="fail"]')  # green's 2 fails
        self.assertEqual(page.evaluate("document.getElementById('f-count').textContent"),
                         "2 of 8 cases shown")
        self.assertEqual(visible_ids(page), ["accept.b.fail", "accept.g.unstable"])
        self.assertEqual(page.evaluate("document.getElementById('f-verdict').value"), "fail")
        self.assertIn("impl=green", page.evaluate("location.hash"))
        self.assertEqual(page.console_errors, [])

    def test_clicking_a_cell_opens_both_outcomes(self):
        page = self.open(self.generated)
        cell = '#m tr[data-id="accept.b.fail"] td.v-fail details'
        self.assertFalse(page.evaluate("document.querySelector('%s').open" % cell))
        page.click(cell + " summary")
        self.assertTrue(page.evaluate("document.querySelector('%s').open" % cell))
        shown = page.evaluate("document.querySelector('%s dl').innerText" % cell)
        for text in ("step 2, line 23", "expected", "($conn:socket, $addr)", "actual",
                     "<GreenSocket object at 0x7f>", "why", "the type name is the mismatch"):
            self.assertIn(text, shown)
        self.assertGreater(page.evaluate("document.querySelector('%s dl').offsetHeight" % cell), 0)
        self.save_screenshot(page, "details.png")
        self.assertEqual(page.console_errors, [])

    def check_glyphs(self, page):
        report = page.evaluate(GLYPHS_JS % {"missing": json.dumps(MISSING)})
        # The check itself: unassigned code points all draw the same box, a letter does not.
        self.assertTrue(report["missingAgree"], report)
        self.assertTrue(report["letterDiffers"], report)
        self.assertEqual(len(report["glyphs"]), 12, report)  # 10 verdicts and the two arrows
        for g in report["glyphs"]:
            self.assertFalse(g["box"], "%r is drawn as the missing-glyph box in %s"
                             % (g["glyph"], report["family"]))
            self.assertFalse(g["blank"], "%r is drawn blank" % g["glyph"])
            self.assertTrue(fonts_covering(g["glyph"]), "no font covers %r" % g["glyph"])
        # The pixel check agrees with fontconfig where a glyph is missing too: ⌛, which no
        # default Debian font has, is drawn as the box exactly when no installed font covers it.
        self.assertEqual(report["hourglassIsBox"], not fonts_covering("\u231b"), report)

    def test_every_verdict_glyph_renders_with_the_default_fonts(self):
        page = self.open(self.generated)
        self.check_glyphs(page)
        self.save_screenshot(page, "legend.png")

    def test_published_page_works_and_names_no_local_path(self):
        page = self.open(PUBLISHED)
        self.assertEqual(page.console_errors, [])
        self.check_glyphs(page)
        total = page.evaluate("document.querySelectorAll('#m tr.case').length")
        self.assertGreater(total, 100)
        # Sorting: the first column that is not all passes puts a non-pass first.
        page.click('#m thead th[data-sort="2"]')
        first = page.evaluate("""document.querySelector('#m tbody tr.case')
            .dataset.verdicts.split(' ')[2]""")
        self.assertNotEqual(first, None)
        # Filtering by a count: the first clickable count in the totals.
        count = page.evaluate("""(() => {
            const s = document.querySelector('span[data-filter-verdict]:not([data-filter-verdict=""])');
            return s ? +s.textContent : null; })()""")
        self.assertIsNotNone(count)
        page.click('span[data-filter-verdict]:not([data-filter-verdict=""])')
        self.assertEqual(page.evaluate("document.getElementById('f-count').textContent"),
                         "%d of %d cases shown" % (count, total))
        text = page.evaluate("document.body.innerText")
        for local in re.findall(r"(?:/root|/home)/\S*", text):
            self.fail("the page names a local path: %s" % local)
        interpreters = page.evaluate("""Array.from(document.querySelectorAll(
            '#implementations + table tr td:nth-child(4) code')).map(c => c.textContent)""")
        self.assertTrue(interpreters, "no interpreter column")
        for name in interpreters:
            self.assertNotIn("/", name)
        self.save_screenshot(page, "published.png")
        self.assertEqual(page.console_errors, [])

    def test_published_page_shows_the_version_history(self):
        page = self.open(PUBLISHED)
        history = page.evaluate(HISTORY_JS)
        self.assertIsNotNone(history, "the published page has no version history (#history)")
        self.assertTrue(history["title"].startswith("What changed, when"), history["title"])
        self.assertTrue(history["visible"], "the history heading is not rendered")
        self.assertTrue(history["versions"], "no version under the history heading")
        for version in history["versions"]:
            self.assertRegex(version, r"^Python 3\.\d+$")
        self.assertGreater(history["count"], 0, "no rendered history entry: %r" % history)
        # An entry names its case (area.what.how) and where in the table it is recorded.
        self.assertRegex(history["first"], r"^\w+(\.\w+)+ conformance/cases/\w+\.cases:\d+")
        page.evaluate("document.getElementById('history').scrollIntoView({block: 'center'})")
        self.save_screenshot(page, "history.png")
        self.assertEqual(page.console_errors, [])

    def test_the_filter_bar_hides_no_heading_and_no_column_header(self):
        page = self.open(PUBLISHED)
        for heading in page.evaluate("Array.from(document.querySelectorAll('h2[id]')).map(h => h.id)"):
            # What following a link to #heading does: scroll it to the top, as its margin allows.
            covered = page.evaluate("""(() => {
                const h = document.getElementById('%s');
                h.scrollIntoView({block: 'start'});
                const bar = document.getElementById('filters').getBoundingClientRect();
                const r = h.getBoundingClientRect();
                return r.top < bar.bottom - 1 && r.bottom > bar.top + 1; })()""" % heading)
            self.assertFalse(covered, "#%s is under the filter bar once jumped to" % heading)
        # Half way down the matrix, its header row shows just under the bar.
        header_covered = page.evaluate("""(() => {
            const rows = document.querySelectorAll('#m tr.case');
            rows[Math.floor(rows.length / 2)].scrollIntoView({block: 'center'});
            const bar = document.getElementById('filters').getBoundingClientRect();
            const th = document.querySelector('#m thead th').getBoundingClientRect();
            return th.top < bar.bottom - 1 || th.top > bar.bottom + 1; })()""")
        self.assertFalse(header_covered, "the matrix's header row is not just under the filter bar")
        self.save_screenshot(page, "sticky.png")


if __name__ == "__main__":
    unittest.main()
