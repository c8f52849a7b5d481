#!/usr/bin/env python3
"""Counts test cases from a Bazel run and prints `N passed, N failed`.

Counts come from each test target's JUnit XML (one entry per GoogleTest test),
so the summary reflects what actually ran. The XML files are the ones the build
event file names for each shard and run of a target (the last attempt of each),
so a sharded test counts every case of every shard, and stale shard directories
of earlier runs count nothing. A target that failed without a
failing test case in its XML (crash, timeout, link error) counts as one failure;
a target that never ran because its build broke counts as one failure too.
"""
import json
import os
import sys
import xml.etree.ElementTree as ET


def target_results(bep_path):
    """Yields (label, overall_status) for every test target in the build event file."""
    with open(bep_path) as f:
        for line in f:
            event = json.loads(line)
            summary = event.get("id", {}).get("testSummary")
            if summary:
                yield summary["label"], event.get("testSummary", {}).get("overallStatus", "NO_STATUS")
            aborted = event.get("aborted")
            target = event.get("id", {}).get("targetCompleted")
            if target and event.get("completed", {}).get("success") is False:
                yield target["label"], "BUILD_FAILED"
            if aborted and event.get("id", {}).get("targetCompleted"):
                yield event["id"]["targetCompleted"]["label"], "BUILD_FAILED"


def xml_files(bep_path):
    """{label: [test.xml path]}: the last attempt's XML of every shard and run, as the build
    event file names them."""
    last = {}  # (label, run, shard) -> (attempt, path)
    with open(bep_path) as f:
        for line in f:
            event = json.loads(line)
            key = event.get("id", {}).get("testResult")
            if not key:
                continue
            for output in event.get("testResult", {}).get("testActionOutput", []):
                if output.get("name") == "test.xml" and output.get("uri", "").startswith("file://"):
                    slot = (key["label"], key.get("run", 1), key.get("shard", 1))
                    attempt = key.get("attempt", 1)
                    if slot not in last or last[slot][0] < attempt:
                        last[slot] = (attempt, output["uri"][len("file://"):])
    files = {}
    for (label, _, _), (_, path) in sorted(last.items()):
        files.setdefault(label, []).append(path)
    return files


def count_xml(xml_path, failed_names):
    """Returns (passed, failed, skipped) test cases in one JUnit XML file; appends the name of
    every failing case to failed_names."""
    passed = failed = skipped = 0
    for case in ET.parse(xml_path).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            failed_names.append(f"{case.get('classname', '')}.{case.get('name', '')}")
        elif case.find("skipped") is not None or case.get("result") == "skipped" \
                or case.get("status") == "notrun":
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main():
    bep_path, testlogs = sys.argv[1], sys.argv[2]
    passed = failed = skipped = 0
    seen = {}
    for label, status in target_results(bep_path):
        if seen.get(label) in ("PASSED", "FAILED"):
            continue
        seen[label] = status
    named = xml_files(bep_path)
    for label, status in sorted(seen.items()):
        rel = label.lstrip("/").lstrip("@").replace(":", "/")
        paths = named.get(label) or [os.path.join(testlogs, rel, "test.xml")]
        p = f = s = 0
        failed_names = []
        for xml_path in paths if status != "BUILD_FAILED" else []:
            if not os.path.exists(xml_path):
                continue
            try:
                counts = count_xml(xml_path, failed_names)
            except ET.ParseError:
                continue  # unreadable: the target's status decides below
            p, f, s = p + counts[0], f + counts[1], s + counts[2]
        if status != "PASSED" and f == 0:
            f = 1  # crash, timeout or build failure with no failing case recorded
        if status != "PASSED" or f:
            # On stdout, one line per failing target, so that the tail CI keeps names it.
            cases = f" ({', '.join(failed_names[:5])})" if failed_names else ""
            print(f"FAILED target {label}: {status}{cases}")
        passed, failed, skipped = passed + p, failed + f, skipped + s
    if skipped:
        print(f"({skipped} skipped, counted as neither)")
    print(f"{passed} passed, {failed} failed")


if __name__ == "__main__":
    main()
