"""Runs kit_test.py under every CPython 3.6-3.13 and PyPy 3 installed here.

The kit promises CPython 3.6+ and PyPy; this holds it to that. Each interpreter is its own test,
so a missing one shows as skipped (never as passed), and the summary printed at the end names
which ran and which were missing. At least the Python running this test always runs.
"""

import glob
import os
import shutil
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
KIT_TEST = os.path.join(HERE, "kit_test.py")
RUN_TIMEOUT = 120  # seconds per interpreter; kit_test takes about 1 s

CPYTHON_VERSIONS = ["3.%d" % minor for minor in range(6, 14)]

RAN, MISSING = [], []


def pyenv_roots():
    roots = [os.environ.get("PYENV_ROOT"), os.path.expanduser("~/.pyenv"), "/root/.pyenv"]
    return [r for r in roots if r]


def find_cpython(version):
    """The interpreter of CPython `version` ("3.6"): pyenv's, else one on PATH, else None."""
    for root in pyenv_roots():
        found = sorted(glob.glob(os.path.join(root, "versions", version + ".*", "bin",
                                              "python" + version)))
        if found:
            return found[-1]
    return shutil.which("python" + version)


def interpreters():
    """(test name, interpreter path or None) for every interpreter the kit supports."""
    pairs = [("CPython%s" % v.replace(".", ""), find_cpython(v)) for v in CPYTHON_VERSIONS]
    pairs.append(("PyPy3", shutil.which("pypy3")))
    pairs.append(("DebianPython3", "/usr/bin/python3" if os.path.exists("/usr/bin/python3")
                  else None))
    return pairs


class KitUnderEveryInterpreterTest(unittest.TestCase):
    @classmethod
    def tearDownClass(cls):
        sys.stderr.write("\nkit_test ran under: %s\nmissing here (skipped, not passed): %s\n"
                         % (", ".join(RAN) or "none", ", ".join(MISSING) or "none"))

    def check(self, label, interpreter):
        if interpreter is None:
            MISSING.append(label)
            self.skipTest("%s is not installed here" % label)
        proc = subprocess.run([interpreter, KIT_TEST], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=RUN_TIMEOUT)
        output = proc.stdout.decode(errors="replace")
        self.assertEqual(proc.returncode, 0, "%s (%s):\n%s" % (label, interpreter, output))
        self.assertIn("\nOK", output)
        self.assertNotIn("skipped", output)  # kit_test skips nothing on a supported Python
        RAN.append("%s (%s)" % (label, interpreter))

    def test_the_running_python(self):
        self.check("running", sys.executable)


for _label, _interpreter in interpreters():
    setattr(KitUnderEveryInterpreterTest, "test_" + _label,
            lambda self, l=_label, i=_interpreter: self.check(l, i))


if __name__ == "__main__":
    unittest.main(verbosity=2)
