"""The committed seed corpora (fuzz/corpus/) are what fuzz/make_seeds.py writes today.

The case-parser and protocol seeds are cut from the case table, so a table that grew or
renamed cases leaves the fuzzers starting from cases that no longer exist. make_seeds.py is run
into a temporary directory and its output compared, file by file, with the committed corpus:
a seed missing, stale (no longer written) or different fails, naming the command that updates
the corpus. Files named by a SHA-1 (inputs merged in from fuzzing runs) are not the script's.
"""

import filecmp
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_seeds import MERGED_INPUT  # noqa: E402  the names that are not the script's

MAKE_SEEDS = "fuzz/make_seeds.py"
DUMP_CASES = "conformance/report/dump_cases"
COMMITTED = "fuzz/corpus"
UPDATE = ("bazel build //conformance/report:dump_cases && "
          "fuzz/make_seeds.py --dump-cases bazel-bin/conformance/report/dump_cases")


def seeds(corpus):
    """The set of fuzzer/name of every seed under corpus that make_seeds.py owns."""
    found = set()
    for fuzzer in sorted(os.listdir(corpus)):
        for name in os.listdir(os.path.join(corpus, fuzzer)):
            if not MERGED_INPUT.match(name):
                found.add(fuzzer + "/" + name)
    return found


class SeedsCurrentTest(unittest.TestCase):
    def test_the_committed_corpus_is_what_make_seeds_writes(self):
        generated = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        run = subprocess.run(
            [sys.executable, MAKE_SEEDS, "--dump-cases", DUMP_CASES, "--corpus", generated],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        self.assertEqual(run.returncode, 0, run.stdout.decode(errors="replace"))
        wanted, committed = seeds(generated), seeds(COMMITTED)
        self.assertGreater(len(wanted), 200, "make_seeds.py wrote almost nothing")
        missing = sorted(wanted - committed)
        stale = sorted(committed - wanted)
        differ = sorted(s for s in wanted & committed
                        if not filecmp.cmp(os.path.join(generated, s), os.path.join(COMMITTED, s),
                                           shallow=False))
        problems = ["missing: " + s for s in missing] + ["stale: " + s for s in stale] + \
                   ["differs: " + s for s in differ]
        self.assertEqual(problems, [], "the seed corpus is out of date with the case table "
                         "(%d problems); update it with: %s" % (len(problems), UPDATE))


if __name__ == "__main__":
    unittest.main()
