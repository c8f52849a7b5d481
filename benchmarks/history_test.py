"""history_test: step changes are found in a ratio history, and noise is not one."""

import json
import os
import random
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import history  # noqa: E402


def noisy(level, n, spread, rng):
    """n ratios around `level`, each off by up to +-spread (relative)."""
    return [level * (1 + rng.uniform(-spread, spread)) for _ in range(n)]


class FindStepsTest(unittest.TestCase):

    def test_noise_alone_is_never_a_step(self):
        rng = random.Random(1)
        for seed in range(50):
            rng.seed(seed)
            values = noisy(1.1, 30, 0.06, rng)
            self.assertEqual(history.find_steps(values), [], values)

    def test_a_lasting_jump_is_one_step_at_the_first_run_on_the_new_level(self):
        rng = random.Random(2)
        values = noisy(1.05, 12, 0.03, rng) + noisy(1.40, 8, 0.03, rng)
        steps = history.find_steps(values)
        self.assertEqual([s["index"] for s in steps], [12], steps)
        self.assertGreater(steps[0]["change"], 1.2)
        self.assertTrue(steps[0]["confirmed"])

    def test_an_improvement_is_a_step_too(self):
        values = [2.7, 2.72, 2.68, 2.71, 2.69, 1.05, 1.04, 1.06, 1.05]
        steps = history.find_steps(values)
        self.assertEqual([s["index"] for s in steps], [5])
        self.assertLess(steps[0]["change"], 1)

    def test_one_run_off_the_line_is_an_outlier_not_a_step(self):
        values = [1.0, 1.02, 0.99, 1.01, 1.6, 1.0, 1.01, 0.99, 1.0]
        self.assertEqual(history.find_steps(values), [])

    def test_a_jump_in_the_last_run_is_reported_unconfirmed(self):
        values = [1.0, 1.02, 0.99, 1.01, 1.0, 1.5]
        steps = history.find_steps(values)
        self.assertEqual([s["index"] for s in steps], [5])
        self.assertFalse(steps[0]["confirmed"])

    def test_a_noisy_series_needs_a_bigger_jump(self):
        rng = random.Random(3)
        # +-25 % noise: a 20 % shift is within it, a 3x one is not.
        noisy_values = noisy(1.0, 15, 0.25, rng)
        self.assertEqual(history.find_steps(noisy_values + noisy(1.2, 6, 0.25, rng)), [])
        steps = history.find_steps(noisy_values + noisy(3.0, 6, 0.05, rng))
        self.assertEqual([s["index"] for s in steps], [15])

    def test_a_short_history_uses_a_prior_for_its_noise(self):
        # Two or three runs cannot tell their noise: an ordinary run-to-run move
        # of 18 % is not a step, a doubling is (unconfirmed).
        self.assertEqual(history.find_steps([1.2, 1.0]), [])
        self.assertEqual(history.find_steps([1.0, 1.0, 1.18]), [])
        steps = history.find_steps([1.0, 2.0])
        self.assertEqual([(s["index"], s["confirmed"]) for s in steps], [(1, False)])

    def test_small_shifts_below_the_floor_are_ignored_even_without_noise(self):
        values = [1.0] * 6 + [1.1] * 6
        self.assertEqual(history.find_steps(values), [])
        values = [1.0] * 6 + [1.2] * 6
        self.assertEqual([s["index"] for s in history.find_steps(values)], [6])


class HistoryFileTest(unittest.TestCase):

    def test_appended_runs_are_read_back_and_plotted_with_their_steps(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "history.jsonl")
            for n, ratio in enumerate([1.02, 1.01, 1.03, 1.02, 1.45, 1.44, 1.46]):
                history.append(path, {
                    "date": f"2026-01-0{n + 1}", "commit": f"{n:040x}",
                    "results": {"sockref": {"BM_SendRecvUnix/mode:timeout/size:64":
                                            {"ratio_to_raw": ratio}},
                                "raw": {"BM_SendRecvUnix/mode:timeout/size:64":
                                        {"ratio_to_raw": 1.0}}}})
            records = history.load(path)
            self.assertEqual(len(records), 7)
            steps = history.all_steps(records)
            self.assertEqual([(i, s["run"]) for i, _, s in steps], [("sockref", 4)])
            svg = history.svg(records)
            self.assertTrue(svg.startswith("<svg"))
            self.assertIn('stroke="red"', svg)  # the step is circled
            self.assertEqual(history.main(["--history", path, "--check"]), 0)
            history.append(path, {"date": "2026-01-08", "commit": "f" * 40,
                                  "results": {"sockref": {"BM_SendRecvUnix/mode:timeout/size:64":
                                                          {"ratio_to_raw": 3.0}}}})
            self.assertEqual(history.main(["--history", path, "--check"]), 1)

    def test_a_missing_history_is_empty(self):
        self.assertEqual(history.load("/nonexistent/history.jsonl"), [])


if __name__ == "__main__":
    unittest.main()
