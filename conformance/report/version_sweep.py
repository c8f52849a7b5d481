"""version_sweep: checks the case table's recorded truth against every CPython it finds.

The table records what each CPython from 3.6 to 3.13 does (CASES.md, "Versions"). This runs the
oracle driver under every CPython interpreter it finds (pyenv's, /usr/bin/python3.X, those given
with --python), each as the oracle of a report run judged at its own version, and lists every
case where that CPython does other than the table says for its version. With --propose FILE it
writes the table edits that would record those differences as a patch, for a person to review
and apply (`git apply FILE`); it never edits the table itself.

    bazel run //conformance:version_sweep                     # exit 1 on any difference
    bazel run //conformance:version_sweep -- --python /usr/bin/python3 --filter 'inet.*'
    bazel run //conformance:version_sweep -- --propose /tmp/versions.diff

A difference counts only if it shows again when its case runs a second time, so a timing miss
on a loaded machine is not taken for a wrong table.

Exit status: 0 when every CPython found agrees with the table, 1 when one does not (or a run
failed), 2 on bad usage or when no CPython was found.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile



def runfiles_root():
    """The directory holding conformance/ (the runfiles tree under bazel run)."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.abspath(os.path.join(here, "..", ".."))


# The interpreters are found as the registry's cpython-3.X launcher finds them.
sys.path.insert(0, os.path.join(runfiles_root(), "conformance", "drivers", "oracle"))
from cpythons import NEWEST, find_cpythons  # noqa: E402


def workspace_root():
    return os.environ.get("BUILD_WORKSPACE_DIRECTORY") or runfiles_root()


def sweep_name(version):
    """The name of the sweep's own registry entry for `version`: not the project registry's
    cpython-X.Y, which finds its interpreter itself, since the sweep runs the very interpreter
    it found (or was given with --python)."""
    return "sweep-cpython-" + version


def registry_entry(version, path):
    """The registry entry that runs the oracle driver under the interpreter at `path`."""
    return {"name": sweep_name(version), "description": "CPython " + version + " at " + path,
            "argv": [path, "{root}/conformance/drivers/oracle/driver.py"]}


def run_oracle(version, path, args, tmp, filters=None):
    """Runs the report with this interpreter as the oracle; returns its JSON results or None."""
    name = sweep_name(version)
    registry = os.path.join(tmp, name + ".json")
    with open(registry, "w") as f:
        json.dump({"implementations": [registry_entry(version, path)]}, f)
    results = os.path.join(tmp, name + ".results.json")
    command = [os.path.join(runfiles_root(), "conformance", "report", "report"),
               "--registry", registry, "--impl", name, "--oracle", name,
               "--json", results, "--jobs", str(args.jobs)]
    for glob_ in (args.filter if filters is None else filters):
        command += ["--filter", glob_]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          cwd=runfiles_root())
    if not os.path.exists(results):
        sys.stderr.write("version_sweep: the run under %s failed:\n%s\n" %
                         (path, done.stderr.decode(errors="replace")[-2000:]))
        return None
    with open(results) as f:
        return json.load(f)


def differences(version, results):
    """Each case where CPython `version` does other than the table: dicts of what and where."""
    name = sweep_name(version)
    out = []
    for case in results["cases"]:
        r = case["results"][name]
        if r["verdict"] in ("pass", "n/a"):
            continue
        out.append({"version": version, "id": case["id"], "file": case["file"],
                    "case_line": case["line"],
                    "verdict": r["verdict"], "line": r.get("line"), "step": r.get("step"),
                    "table": r.get("expected"), "cpython": r.get("actual"),
                    "detail": r.get("detail", "")})
    return out


def confirmed(version, path, args, tmp, diffs):
    """The differences that show again when their cases run a second time. A timing miss or an
    unstable case on a loaded machine does not reproduce; a table that is wrong does."""
    if not diffs:
        return diffs
    again = run_oracle(version, path, args, tmp, filters=sorted({d["id"] for d in diffs}))
    if again is None:
        return diffs
    seen = {(d["id"], d["verdict"], d["line"]) for d in differences(version, again)}
    return [d for d in diffs if (d["id"], d["verdict"], d["line"]) in seen]


def as_expectation(actual):
    """The expectation line that states an outcome the report described, or None."""
    if actual is None or actual.startswith("unsupported:") or actual.startswith("run "):
        return None
    text = re.sub(r" \[E[A-Z0-9_]+\]$", "", actual)  # the errno name DescribeActual appends
    if re.search(r" at 0x[0-9a-f]+|fd=\d+|laddr=", text):
        return None  # an object repr that varies from run to run
    return text


def version_key(version):
    """Sorts "3.9" before "3.10"."""
    return tuple(int(x) for x in version.split("."))


def version_ranges(versions):
    """Groups sorted "3.x" strings into runs of consecutive minor versions: "3.6-3.8", "3.12+"."""
    nums = [tuple(int(x) for x in v.split(".")) for v in versions]
    runs, start, prev = [], None, None
    for v in nums:
        if start is None:
            start = prev = v
        elif v == (prev[0], prev[1] + 1):
            prev = v
        else:
            runs.append((start, prev))
            start = prev = v
    if start is not None:
        runs.append((start, prev))
    def text(a, b):
        if a == b:
            return "%d.%d" % a
        if b == NEWEST:
            return "%d.%d+" % a
        return "%d.%d-%d.%d" % (a + b)
    return [text(a, b) for a, b in runs]


def missing_name(d):
    """Whether CPython lacked a name the case uses (it is newer than that version)."""
    return (d["verdict"] == "divergence" and d["cpython"] is not None and
            d["cpython"].startswith("unsupported:") and "has no attribute" in d["cpython"])


def versions_headers(diffs, found):
    """{(file, case_line): header line}: `versions: X+` for a case that uses a name the oldest
    versions lack, X being the first version found that has it."""
    by_case = {}
    for d in diffs:
        by_case.setdefault((d["file"], d["case_line"]), []).append(d)
    out = {}
    order = list(found)
    for key, case_diffs in by_case.items():
        lacking = sorted({d["version"] for d in case_diffs if missing_name(d)}, key=order.index)
        if not lacking or order.index(lacking[-1]) + 1 != len(lacking):
            continue  # not a prefix of the versions found: not a name added in some version
        if len(lacking) == len(order):
            continue
        out[key] = "  versions: %s+    # %s (version_sweep); cite why" % (
            order[len(lacking)], next(d["cpython"] for d in case_diffs if missing_name(d)))
    return out


def proposals(diffs, found):
    """{(file, line): [proposed lines]} for outcome differences that an expectation can state,
    and `versions:` headers for cases that use names older versions lack."""
    headers = versions_headers(diffs, found)
    limited = {(f, line) for f, line in headers}
    by_step = {}
    for d in diffs:
        if (d["file"], d["case_line"]) in limited:
            continue  # the header says it first; the rest shows on the next sweep
        if d["verdict"] == "divergence" and d["line"]:
            by_step.setdefault((d["file"], d["line"]), {})[d["version"]] = d
    out = {key: [line] for key, line in headers.items()}
    for (path, line), per_version in sorted(by_step.items()):
        by_outcome = {}
        for version, d in sorted(per_version.items(), key=lambda kv: version_key(kv[0])):
            expectation = as_expectation(d["cpython"])
            if expectation is not None:
                by_outcome.setdefault(expectation, []).append(version)
        lines = []
        for expectation, versions in by_outcome.items():
            patch = ", ".join("%s" % found[v][1] for v in versions)
            for r in version_ranges(versions):
                lines.append("  [%s] %s    # CPython %s (version_sweep); cite why" %
                             (r, expectation, patch))
        if lines:
            out[(path, line)] = lines
    return out


def insertion_line(lines, step_line):
    """The index after the step's own expectation lines (0-based), where versioned lines go;
    for a `case` line, after its header lines."""
    i = step_line  # lines[step_line - 1] is the step; look at what follows
    if lines[step_line - 1].startswith("case "):
        while i < len(lines) and lines[i].strip().split(":")[0] in ("doc", "needs", "divergence",
                                                                     "versions"):
            i += 1
        return i
    while i < len(lines):
        text = lines[i].strip()
        if (not text or text.startswith(">>>") or text.startswith("after ") or
                text.startswith("elapsed:") or text.startswith("case ") or
                text.startswith("#") or not lines[i].startswith((" ", "\t"))):
            break
        i += 1
    return i


def write_patch(props, out_path):
    """Writes the proposals as a unified diff against the workspace's case files."""
    root = workspace_root()
    chunks = []
    for path in sorted({p for p, _ in props}):
        source = os.path.join(root, path)
        with open(source) as f:
            old = f.read().split("\n")
        new = list(old)
        for (p, line), added in sorted(props.items(), key=lambda kv: -kv[0][1]):
            if p == path:
                at = insertion_line(old, line)
                new[at:at] = added
        with tempfile.TemporaryDirectory() as tmp:
            a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
            with open(a, "w") as f:
                f.write("\n".join(old))
            with open(b, "w") as f:
                f.write("\n".join(new))
            diff = subprocess.run(["diff", "-u", "--label", "a/" + path, "--label", "b/" + path,
                                   a, b], stdout=subprocess.PIPE).stdout.decode()
        chunks.append(diff)
    with open(out_path, "w") as f:
        f.write("".join(chunks))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", action="append", default=[],
                        help="an interpreter to use besides those found (repeatable)")
    parser.add_argument("--filter", action="append", default=[], help="only cases matching GLOB")
    parser.add_argument("--jobs", type=int, default=6)
    parser.add_argument("--propose", metavar="FILE", help="write proposed table edits as a patch")
    parser.add_argument("--json", metavar="FILE", help="write every difference found as JSON")
    args = parser.parse_args()
    found = find_cpythons([os.path.abspath(os.path.expanduser(p)) for p in args.python])
    if not found:
        sys.stderr.write("version_sweep: no CPython from 3.6 to 3.13 found\n")
        return 2
    all_diffs, failed = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for version, (path, patch) in found.items():
            results = run_oracle(version, path, args, tmp)
            if results is None:
                failed.append(version)
                continue
            diffs = confirmed(version, path, args, tmp, differences(version, results))
            all_diffs += diffs
            print("CPython %-8s %-45s %4d cases, %3d differ from the table" %
                  (patch, path, len(results["cases"]), len(diffs)))
    for d in all_diffs:
        print("  %s %s %s (%s:%s) table: %s | CPython: %s %s" % (
            d["version"], d["verdict"], d["id"], d["file"], d["line"], d["table"], d["cpython"],
            "" if d["cpython"] else d["detail"][:200]))
    if args.json:
        with open(os.path.join(os.environ.get("BUILD_WORKING_DIRECTORY", "."), args.json), "w") as f:
            json.dump(all_diffs, f, indent=1)
    if args.propose:
        props = proposals(all_diffs, found)
        target = os.path.join(os.environ.get("BUILD_WORKING_DIRECTORY", "."), args.propose)
        write_patch(props, target)
        print("version_sweep: %d proposed edits in %s (review, then git apply)" %
              (len(props), target))
    print("version_sweep: %d interpreters, %d differences, %d failed runs" %
          (len(found), len(all_diffs), len(failed)))
    return 0 if not all_diffs and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
