"""Every driver built on the kit stays a page: under 100 lines that are not blank.

The kit's promise (docs/validating-your-implementation.md, "Green and asynchronous libraries";
README.md; PROTOCOL.md) is that a driver for a Python-API implementation is what only that driver
knows, the rest being the kit's. A driver that grows past a page is re-implementing the kit: this
test says so. The guide records each driver's size before and after the kit; the "after" figures
are measured here, so the guide cannot go on stating a size the driver no longer has.
"""

import os
import re
import unittest

LIMIT = 100  # non-blank lines; the documents say "under 100 lines"
GUIDE = "docs/validating-your-implementation.md"

# Every driver in the project built on the kit, by the name the guide gives it.
DRIVERS = {
    "trio": "conformance/drivers/trio/driver.py",
    "oracle": "conformance/drivers/oracle/driver.py",
    "toy": "conformance/drivers/examples/toy_driver.py",
}


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def non_blank_lines(text):
    return sum(1 for line in text.split("\n") if line.strip())


class DriverSizeTest(unittest.TestCase):
    def test_counting_skips_blank_lines_only(self):
        self.assertEqual(non_blank_lines("a\n\n   \n# comment\n\tb\n"), 3)

    def test_every_driver_is_built_on_the_kit(self):
        # It loads the kit and hands it the conversation: the kit's loop, not one of its own.
        for name, path in DRIVERS.items():
            text = read(path)
            self.assertIn("sockref_driver_kit", text, "%s (%s) does not load the kit" % (name, path))
            self.assertIn("kit.run_driver(", text, "%s (%s) runs a loop of its own" % (name, path))

    def test_every_driver_is_under_a_page(self):
        for name, path in DRIVERS.items():
            size = non_blank_lines(read(path))
            self.assertLess(size, LIMIT, "%s has %d non-blank lines: what it re-implements "
                            "belongs in the kit (conformance/drivers/kit/)" % (path, size))

    def test_the_guide_states_the_measured_sizes(self):
        # The guide's table row: | name | `path` | before | after |
        guide = read(GUIDE)
        for name, path in DRIVERS.items():
            row = re.search(r"^\| %s \| `%s` \| [^|]+ \| (\d+) \|$" % (name, re.escape(path)),
                            guide, re.M)
            self.assertIsNotNone(row, "%s has no size row for %s" % (GUIDE, path))
            self.assertEqual(int(row.group(1)), non_blank_lines(read(path)),
                             "%s states another size for %s than it has" % (GUIDE, path))


if __name__ == "__main__":
    unittest.main()
