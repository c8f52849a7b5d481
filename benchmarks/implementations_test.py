"""implementations_test: impl_bench.py runs every workload under this interpreter, and
implementations.py turns results into the published matrix and a history record."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import history  # noqa: E402
import implementations  # noqa: E402


class ImplBenchTest(unittest.TestCase):

    def test_every_workload_runs_with_the_interpreters_socket_module(self):
        proc = subprocess.run([sys.executable, implementations.IMPL_BENCH, "--seconds=0.001",
                               "--warmup=0", "--name", "cpython-test"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        data = json.loads(proc.stdout)
        names = [r["name"] for r in data["results"]]
        self.assertEqual([implementations.key_of(n) for n in names],
                         implementations.workload_keys())
        for r in data["results"]:
            self.assertNotIn("error", r)
            self.assertGreater(r["messages"], 0)
            self.assertTrue(r["name"].split("/")[1] == "impl:cpython-test", r["name"])


class MatrixTest(unittest.TestCase):

    def fake_rows(self):
        rows = {}
        for impl, factor in (("raw", 1.0), ("sockref", 1.05), ("cpython-3.11", 1.8)):
            rows[impl] = {}
            for key in implementations.workload_keys():
                size = 64 if key.endswith("/size:64") else 65536
                cpu = 600.0 * factor * (8 if size > 64 else 1)
                rows[impl][key] = {"cpu_time": cpu, "real_time": cpu,
                                   "items_per_second": 1e9 / cpu,
                                   "bytes_per_second": size * 1e9 / cpu}
        return rows

    def test_ratios_to_raw_and_the_published_files(self):
        rows = self.fake_rows()
        raw_cpu = {k: e["cpu_time"] for k, e in rows["raw"].items()}
        table = implementations.results_table(rows, raw_cpu)
        key = implementations.workload_key("Unix", "timeout", 64)
        self.assertAlmostEqual(table["sockref"][key]["ratio_to_raw"], 1.05)
        self.assertAlmostEqual(table["raw"][key]["ratio_to_raw"], 1.0)
        self.assertEqual(implementations.ordered_impls(table), ["raw", "sockref", "cpython-3.11"])
        meta = {"date": "2026-01-01 00:00", "commit": "0" * 40, "elapsed": 1.0, "cpu": "cpu",
                "cores": 2, "load_start": 1.0, "load_end": 1.0, "seconds": 0.2,
                "build": {"compiler": "gcc", "codegen": "pic"}}
        info = {i: {"description": i, "python": None, "error": None} for i in rows}
        md = implementations.markdown(table, info, meta)
        self.assertIn("| **sockref** |", md)
        self.assertIn("×1.05", md)
        svg = implementations.plot(table)
        self.assertTrue(svg.startswith("<svg") and svg.rstrip().endswith("</svg>"))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "history.jsonl")
            history.append(path, {"commit": "0" * 40, "results": table})
            series = history.series(history.load(path))
            self.assertEqual(series[("sockref", key)], [(0, 1.05)])


if __name__ == "__main__":
    unittest.main()
