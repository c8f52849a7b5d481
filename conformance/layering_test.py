"""Fails when an include in conformance/ points against the data path.

language <- protocol <- runner <- report; drivers depend on protocol and language (and //impl),
never on runner or report. Tests may reach one stage further for their fixtures, so only
production files (not *_test.cc) are checked.
"""
import os
import re
import sys
import unittest

# What each stage's production code may include, besides itself and //impl.
ALLOWED = {
    "language": set(),
    "protocol": {"language"},
    "runner": {"language", "protocol"},
    "report": {"language", "protocol", "runner", "drivers"},
    "drivers": {"language", "protocol"},
}
INCLUDE = re.compile(r'^#include "conformance/([a-z_]+)/', re.M)


def conformance_dir():
    srcdir = os.environ.get("TEST_SRCDIR")
    if srcdir:
        path = os.path.join(srcdir, os.environ.get("TEST_WORKSPACE", "sockref"), "conformance")
        if os.path.isdir(os.path.join(path, "language")):
            return path
    return os.path.dirname(os.path.abspath(__file__))


def violations(root):
    found = []
    for stage in ALLOWED:
        for dirpath, _, files in os.walk(os.path.join(root, stage)):
            for name in files:
                if not name.endswith((".cc", ".h")) or name.endswith("_test.cc"):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                for target in INCLUDE.findall(text):
                    if target != stage and target not in ALLOWED[stage]:
                        found.append("%s includes conformance/%s/" %
                                     (os.path.relpath(path, root), target))
    return found


class LayeringTest(unittest.TestCase):
    def test_every_stage_has_sources(self):
        root = conformance_dir()
        for stage in ALLOWED:
            self.assertTrue(os.path.isdir(os.path.join(root, stage)), stage)

    def test_includes_point_along_the_data_path(self):
        self.assertEqual(violations(conformance_dir()), [])

    def test_a_backward_include_is_found(self):
        # The checker itself must be able to fail.
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "language"))
            for stage in ALLOWED:
                os.makedirs(os.path.join(tmp, stage), exist_ok=True)
            with open(os.path.join(tmp, "language", "x.h"), "w") as f:
                f.write('#include "conformance/runner/matching.h"\n')
            self.assertEqual(violations(tmp), ["language/x.h includes conformance/runner/"])


if __name__ == "__main__":
    unittest.main()
