"""bench_module's page: one short run writes the Markdown table REPORT.md links to.

Times are not judged here (a timing assertion belongs in the benchmark); what is checked is that
the command the page names runs, compares both modules on every workload, and writes the page.
"""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class BenchModuleTest(unittest.TestCase):
    def test_a_short_run_writes_every_workload_for_both_modules(self):
        with tempfile.TemporaryDirectory() as tmp:
            page = os.path.join(tmp, "PYTHON_MODULE.md")
            run = subprocess.run(
                [sys.executable, os.path.join(HERE, "bench_module.py"),
                 "--python", sys.executable, "--sockref", os.path.join(HERE, "_sockref_socket.so"),
                 "--samples", "1", "--seconds", "0.01", "--markdown", page],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
            self.assertEqual(run.returncode, 0, run.stdout.decode(errors="replace"))
            with open(page, encoding="utf-8") as f:
                text = f.read()
        for workload in ("64 B, timeout mode", "64 KiB, timeout mode", "64 B, blocking mode",
                         "64 KiB, blocking mode"):
            row = [line for line in text.splitlines() if line.startswith("| " + workload + " |")]
            self.assertEqual(len(row), 1, workload)
            cells = [c.strip() for c in row[0].strip("|").split("|")]
            self.assertTrue(cells[1].endswith("µs") and cells[2].endswith("µs"), row)
            self.assertGreater(float(cells[3]), 0)
        self.assertIn("bazel run //python:bench_module -- --markdown", text)


if __name__ == "__main__":
    unittest.main()
