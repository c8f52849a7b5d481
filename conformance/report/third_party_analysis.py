"""third_party_analysis: docs/third-party-analysis.md, generated from a run and the judgement.

The judgement is versioned in the expectations files (conformance/expectations/<name>.txt,
conformance/runner/expectations.h): every known failure sits under a heading comment
`# CATEGORY: explanation` that names one cluster of one cause. This tool reads those files and a
run's results (`report --json` or `matrix --json`, conformance/report/results_json.h) and writes
the analysis: a summary table per implementation (what runs, at which Python version it is judged,
its verdicts from the run, its lines per category from the file), the method with its numbers from
the data, then per implementation each cluster with its explanation and its cases, each with the
first differing step's outcome from the run.

    bazel run //conformance:report -- --impl reference --impl cpython --impl cpython-debian \\
        --impl pypy3 --impl gevent --impl eventlet --impl trio --json /tmp/analysis.json
    bazel run //conformance:third_party_analysis -- --json /tmp/analysis.json \\
        --markdown docs/third-party-analysis.md
    bazel run //conformance:third_party_analysis -- --check

`--check` needs no run: it says whether the committed analysis lists exactly the case ids of the
expectations files under the same clusters (exit 1 with the differences if not). Exit status 0,
1 on a failed check, 2 on bad usage or a malformed expectations file or results file.
"""
import argparse
import os
import re
import sys

# The page's two halves live beside this file: what it reads (third_party_expectations) and
# what it writes (third_party_page); this file checks the page and is the command line.
from third_party_expectations import (CATEGORIES, InputError, load_expectations,  # noqa: F401
                                      load_results, parse_expectations, split_explanation)
from third_party_page import COMMAND, DOC, Analysis, heading, plural  # noqa: F401


def runfiles_root():
    return os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


# ----- the check -----

def doc_clusters(text):
    """{implementation: [(category, title, [case ids])]} of an analysis page."""
    out, current, cluster = {}, None, None
    for line in text.split("\n"):
        match = re.match(r"^<!-- analysis: (\S+) -->$", line)
        if match:
            current, cluster = match.group(1), None
            out[current] = []
            continue
        if line.startswith("## "):
            current, cluster = None, None
            continue
        match = re.match(r"^### (%s): .*$" % "|".join(CATEGORIES), line)
        if match and current:
            cluster = (match.group(1), line, [])
            out[current].append(cluster)
            continue
        match = re.match(r"^\| `([^`]+)` \|", line)
        if match and cluster:
            cluster[2].append(match.group(1))
    return out


def check(doc_text, expectations):
    """The differences between the page's clusters and the expectations files': [str]."""
    problems = []
    documented = doc_clusters(doc_text)
    for name in sorted(set(documented) | set(expectations)):
        want = [(c.category, heading(c), [i for i, _ in c.cases])
                for c in expectations.get(name, (None, None, []))[2]]
        have = documented.get(name, [])
        if name not in documented:
            problems.append("%s: no section (its file lists %d cases)" % (
                name, sum(len(c[2]) for c in want)))
            continue
        if name not in expectations:
            problems.append("%s: a section, but no expectations file lists a case" % name)
            continue
        for i in range(max(len(want), len(have))):
            w = want[i][1:] if i < len(want) else None
            h = have[i][1:] if i < len(have) else None
            if w is None:
                problems.append("%s: cluster %d, %r, is under no expectations heading"
                                % (name, i + 1, h[0]))
            elif h is None:
                problems.append("%s: cluster %d, %r, is not on the page" % (name, i + 1, w[0]))
            elif w[0] != h[0]:
                problems.append("%s: cluster %d is %r, the page says %r"
                                % (name, i + 1, w[0], h[0]))
            elif w[1] != h[1]:
                gone = [x for x in w[1] if x not in h[1]]
                extra = [x for x in h[1] if x not in w[1]]
                problems.append("%s: cluster %d, %r: %s" % (name, i + 1, w[0], "; ".join(
                    ["not on the page: " + ", ".join(gone)] * bool(gone) +
                    ["not in the file: " + ", ".join(extra)] * bool(extra) +
                    ["the same cases in another order"] * (not gone and not extra))))
    return problems


# ----- the command line -----

def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="FILE", help="the run's results (report --json)")
    parser.add_argument("--markdown", metavar="FILE",
                        help="where to write the analysis (with --json), or the page --check "
                             "reads (default: the committed %s)" % DOC)
    parser.add_argument("--expectations", metavar="DIR",
                        help="the expectations files (default: conformance/expectations)")
    parser.add_argument("--check", action="store_true",
                        help="check that the page lists the files' cases under their clusters")
    args = parser.parse_args(argv)
    if args.check == bool(args.json):
        parser.error("give --json FILE --markdown FILE, or --check")
    if args.json and not args.markdown:
        parser.error("--json needs --markdown FILE")
    return args


def run_check(args, where, root, expectations):
    """--check: prints each difference between the page and the files; 0 if none, else 1."""
    page = os.path.join(where, args.markdown) if args.markdown else os.path.join(root, DOC)
    with open(page, encoding="utf-8") as f:
        problems = check(f.read(), expectations)
    for p in problems:
        print("third_party_analysis: %s" % p)
    if problems:
        print("third_party_analysis: %s is stale: %s" % (
            args.markdown or DOC, COMMAND))
        return 1
    print("third_party_analysis: %s lists the %d cases of %s under their clusters" % (
        args.markdown or DOC,
        sum(len(c.cases) for _, _, cls in expectations.values() for c in cls),
        plural(len(expectations), "expectations file")))
    return 0


def write_analysis(analysis, expectations, where, markdown):
    """Writes the page to `markdown` and says what it holds."""
    text = analysis.markdown()
    with open(os.path.join(where, markdown), "w", encoding="utf-8") as f:
        f.write(text)
    missing = sum(1 for name in analysis.sections for _, _, cls in [expectations[name]]
                  for c in cls for i, _ in c.cases
                  if name not in (analysis.cases.get(i) or {}).get("results", {}))
    print("third_party_analysis: %s: %d implementations, %d clusters%s" % (
        markdown, len(analysis.sections),
        sum(len(expectations[n][2]) for n in analysis.sections),
        "; %d listed cases not in this run" % missing if missing else ""))
    return 0


def main(argv=None):
    args = parse_args(argv)
    where = os.environ.get("BUILD_WORKING_DIRECTORY", ".")
    root = runfiles_root()
    directory = (os.path.join(where, args.expectations) if args.expectations
                 else os.path.join(root, "conformance", "expectations"))
    try:
        expectations = load_expectations(directory)
        if args.check:
            return run_check(args, where, root, expectations)
        analysis = Analysis(load_results(os.path.join(where, args.json)), expectations)
    except InputError as e:
        print("third_party_analysis: %s" % e, file=sys.stderr)
        return 2
    return write_analysis(analysis, expectations, where, args.markdown)


if __name__ == "__main__":
    sys.exit(main())
