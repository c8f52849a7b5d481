#!/bin/bash
# End-to-end test of //conformance:report: usage errors, --help, the hint given away from the
# suite, --list, a passing run with --json, and the two ways a wrong documented expectation
# shows up (a divergence when the oracle runs, a failure and exit status 1 when it does not).
set -u
report=conformance/report/report
tmp=${TEST_TMPDIR:-/tmp}
fail() {
  echo "FAIL: $*"
  exit 1
}

"$report" --impl nonesuch >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "an unknown implementation must exit with status 2"
grep -q "unknown implementation 'nonesuch' (known: .*; try --list)" "$tmp/err" || fail "no message: $(cat "$tmp/err")"

"$report" --bogus >/dev/null 2>&1
[ $? -eq 2 ] || fail "a bad argument must exit with status 2"

# --help is a success (it once was an error), and names the options a CI script needs.
"$report" --help >"$tmp/help" 2>"$tmp/err" || fail "--help must exit with status 0: $(cat "$tmp/err")"
grep -q '^usage: report ' "$tmp/help" || fail "--help prints no usage: $(cat "$tmp/help")"
for option in --registry --expectations --junit --filter --cases; do
  grep -q -- "^ *$option " "$tmp/help" || fail "--help does not describe $option: $(cat "$tmp/help")"
done

# Away from the suite (a copy of the binary alone, no runfiles, no Bazel environment), a run
# says how to start it so that it finds the suite, instead of failing on a file it cannot read.
outside=$(mktemp -d "$tmp/outside.XXXXXX")
mkdir "$outside/bin" && cp "$report" "$outside/bin/report" || fail "cannot copy $report"
for args in "" "--impl reference" "--list"; do
  # shellcheck disable=SC2086  # the arguments are split on purpose
  (cd "$outside" && env -i PATH="$PATH" HOME="$outside" LANG=C.UTF-8 bin/report $args) >/dev/null 2>"$tmp/err"
  [ $? -eq 2 ] || fail "'report $args' away from the suite must exit with status 2: $(cat "$tmp/err")"
  grep -qx 'report: cannot find the suite (conformance/implementations.json): run it with `bazel run //conformance:report`, from the workspace, or from a release tree' \
    "$tmp/err" || fail "no hint for 'report $args' away from the suite: $(cat "$tmp/err")"
done

"$report" --list >"$tmp/list" || fail "--list failed"
grep -q '^cpython (oracle): ' "$tmp/list" || fail "--list does not show the oracle: $(cat "$tmp/list")"

"$report" --filter 'example_inet.*' --json "$tmp/r.json" >"$tmp/out" 2>"$tmp/progress"
status=$?
[ $status -eq 0 ] || fail "example_inet must pass on reference and cpython (status $status): $(cat "$tmp/out")"
grep -q '^Result: OK$' "$tmp/out" || fail "no OK result"
grep -q '^Wall time: ' "$tmp/out" || fail "no wall time"
grep -q '^report: \[1/1\] example_inet: 4 cases done$' "$tmp/progress" || fail "no progress: $(cat "$tmp/progress")"
# Not a terminal (a file here, a CI log): plain lines, no carriage return or escape sequence.
if grep -q $'[\r\x1b]' "$tmp/progress"; then fail "terminal control in a log: $(cat -A "$tmp/progress")"; fi
# On a terminal (script(1) from util-linux gives one): one line, rewritten as cases finish.
TERM=xterm timeout 120 script -qefc "$report --filter 'example_inet.*'" /dev/null </dev/null >"$tmp/tty" 2>&1 ||
  fail "the run on a terminal failed: $(cat -A "$tmp/tty")"
grep -q $'\rreport: \[4/4 cases\] example_inet\x1b\[K' "$tmp/tty" || fail "no updating line: $(cat -A "$tmp/tty")"
if grep -q 'cases done' "$tmp/tty"; then fail "per-area lines on a terminal: $(cat -A "$tmp/tty")"; fi
python3 - "$tmp/r.json" <<'PY' || fail "bad JSON results"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["failures"] == 0, r["failures"]
assert [i["name"] for i in r["implementations"]] == ["reference", "cpython"]
assert len(r["cases"]) == 4
assert all(c["results"]["reference"]["verdict"] == "pass" for c in r["cases"])
assert r["summary"]["reference"]["agree"] == 4
PY

# JUnit XML for any CI: one testcase per case and implementation, the failure count the run's.
"$report" --filter 'example_inet.*' --junit "$tmp/r.xml" >/dev/null 2>&1 || fail "--junit run failed"
python3 - "$tmp/r.xml" <<'PY' || fail "bad JUnit XML: $(cat "$tmp/r.xml")"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("8", "0", "0"), root.attrib
cases = root.findall("./testsuite/testcase")
assert len(cases) == 8
assert {(c.get("classname"), c.get("name")) for c in cases} >= {
    ("reference", "example_inet.aton.two_part_shorthand"), ("cpython", "example_inet.aton.two_part_shorthand")}
assert all(c.get("file") == "conformance/cases/example_inet.cases" for c in cases)
PY
"$report" --cases conformance/report/testdata/capture_type --impl cpython-debian --junit "$tmp/f.xml" >/dev/null 2>&1
[ $? -eq 1 ] || fail "the failing run must still exit 1 with --junit"
python3 - "$tmp/f.xml" <<'PY' || fail "the failure is not in the JUnit XML: $(cat "$tmp/f.xml")"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.get("failures") == "1", root.attrib
failure = root.find("./testsuite/testcase/failure")
assert failure.get("type") == "fail", failure.attrib
assert failure.get("message").startswith("fail at step 1: expected ($a:int, $b:socket), got (<socket.socket fd="), failure.attrib
for text in ("step 1, line 7: socketpair()", "expected: ($a:int, $b:socket)", "why:      the type name is the mismatch",
             "capture_type.socketpair.first_is_not_an_int (conformance/report/testdata/capture_type/capture_type.cases:5)"):
    assert text in failure.text, (text, failure.text)
PY

# Repeated filters add up: the cases matching any of them.
"$report" --filter 'example_inet.*' --filter 'example_socket.*' >"$tmp/out" 2>"$tmp/progress"
[ $? -eq 0 ] || fail "example_inet and example_socket must pass: $(cat "$tmp/out")"
grep -q '^report: [0-9]* of [0-9]* cases on' "$tmp/progress" || fail "no count: $(cat "$tmp/progress")"
grep -q 'example_inet: 4 cases done$' "$tmp/progress" || fail "example_inet left out: $(cat "$tmp/progress")"
grep -q 'example_socket: [0-9]* cases done$' "$tmp/progress" ||
  fail "the second --filter was ignored: $(cat "$tmp/progress")"

# The README's third-party command, on the example cases without timings (with every driver of
# five implementations running at once, a loaded machine would make those flaky): every implementation Debian ships
# (ci/setup.sh installs them) runs, and what they do differently is in their expectations files.
"$report" --impl reference --impl cpython --impl pypy3 --impl gevent --impl eventlet --filter 'example_inet.*' --filter 'example_socket.*' \
  >"$tmp/out" 2>/dev/null || fail "the third parties on the examples: $(cat "$tmp/out")"
grep -q '^Result: OK$' "$tmp/out" || fail "no OK for the third parties: $(cat "$tmp/out")"

# The table is the specification: CPython disagreeing with it fails the run, showing both.
"$report" --cases conformance/report/testdata >"$tmp/out" 2>/dev/null
status=$?
[ $status -eq 1 ] || fail "a table that CPython contradicts must fail the run (got $status): $(cat "$tmp/out")"
grep -q '^TABLE VS CPYTHON' "$tmp/out" || fail "no table-vs-CPython section: $(cat "$tmp/out")"
grep -q '      table:   1$' "$tmp/out" || fail "the table's outcome not shown: $(cat "$tmp/out")"
grep -q '      CPython: 256$' "$tmp/out" || fail "CPython's outcome not shown: $(cat "$tmp/out")"
grep -q '^Result: FAILED, 1 problem not covered by expectations files: cpython: 1 divergence$' "$tmp/out" ||
  fail "no one-line reason: $(cat "$tmp/out")"

# A filter matching nothing is an error, not an empty passing run.
"$report" --filter 'nonesuch.*' >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || fail "an empty selection must exit with status 2"
grep -q "no case matches 'nonesuch.\*'" "$tmp/err" || fail "no reason: $(cat "$tmp/err")"

# An oracle that cannot start fails the run, saying why.
PATH=/nonexistent "$report" --filter 'example_inet.*' >"$tmp/out" 2>/dev/null
[ $? -eq 1 ] || fail "an unavailable oracle must fail the run: $(cat "$tmp/out")"
grep -q '^  cpython: unavailable for 4 cases: ' "$tmp/out" || fail "no unavailable line: $(cat "$tmp/out")"

# An absurd time multiplier is refused before anything runs.
for m in 1e300 0 -2 nan 1001; do
  SOCKREF_TIME_MULTIPLIER=$m "$report" --filter 'example_inet.*' >/dev/null 2>"$tmp/err"
  [ $? -eq 2 ] || fail "SOCKREF_TIME_MULTIPLIER=$m must be refused"
  grep -q 'SOCKREF_TIME_MULTIPLIER must be' "$tmp/err" || fail "no reason for $m: $(cat "$tmp/err")"
done

# Started with stdin closed, the runner still reaches its drivers and says the truth.
"$report" --filter 'example_inet.*' <&- >"$tmp/out" 2>/dev/null
[ $? -eq 0 ] || fail "stdin closed must not break the run: $(cat "$tmp/out")"
grep -q '^Result: OK$' "$tmp/out" || fail "no OK with stdin closed: $(cat "$tmp/out")"

# Without the oracle the case is judged against its documentation, and fails.
"$report" --cases conformance/report/testdata --impl cpython-debian >"$tmp/out" 2>/dev/null
status=$?
[ $status -eq 1 ] || fail "a failure must exit with status 1 (got $status)"
grep -q '^  FAIL cpython-debian  wrong_docs.htons.claims_identity' "$tmp/out" || fail "$(cat "$tmp/out")"
grep -q 'expectations line: wrong_docs.htons.claims_identity fail@1: 256$' "$tmp/out" ||
  fail "no expectations line: $(cat "$tmp/out")"
# A capture of the wrong type says that the type name was the mismatch, not only both reprs.
"$report" --cases conformance/report/testdata/capture_type --impl cpython-debian >"$tmp/out" 2>/dev/null
[ $? -eq 1 ] || fail "a capture of the wrong type must fail: $(cat "$tmp/out")"
grep -q '^      why:      the type name is the mismatch: expected \$a:int, got a value of type socket: <socket.socket fd=' "$tmp/out" ||
  fail "the type name is not named as the mismatch: $(cat "$tmp/out")"

# The in-process reference shares the runner's descriptors: a table closing 1 and 2 must not
# cost the report, its progress or its exit status (here 1: the third case fails on purpose).
"$report" --cases conformance/report/testdata/closes_stdio --impl reference >"$tmp/out" 2>"$tmp/err"
status=$?
[ $status -eq 1 ] || fail "a table closing stdout must still exit 1 (got $status): $(cat "$tmp/out" "$tmp/err")"
grep -q '^Result: FAILED' "$tmp/out" || fail "the report was lost: $(cat "$tmp/out" "$tmp/err")"
grep -q '^  FAIL reference  closes_stdio.htons.wrong_on_purpose' "$tmp/out" || fail "no failure: $(cat "$tmp/out")"
grep -q 'closes_stdio: 3 cases done$' "$tmp/err" || fail "the progress was lost: $(cat "$tmp/err")"
# A report that cannot be written is never a silent success.
"$report" --filter 'example_inet.*' >/dev/full 2>"$tmp/err"
[ $? -eq 2 ] || fail "a report written to a full disk must exit 2"
grep -q '^report: the report could not be written to stdout (write failed: No space left on device); the run.s exit status would have been 0$' "$tmp/err" ||
  fail "no reason for the lost report: $(cat "$tmp/err")"

echo PASS
