#!/bin/bash
# End-to-end test of //conformance:report: usage errors, --list, a passing run with --json,
# and the two ways a wrong documented expectation shows up (a divergence when the oracle runs,
# a failure and exit status 1 when it does not).
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

"$report" --list >"$tmp/list" || fail "--list failed"
grep -q '^cpython (oracle): ' "$tmp/list" || fail "--list does not show the oracle: $(cat "$tmp/list")"

"$report" --filter 'example_inet.*' --json "$tmp/r.json" >"$tmp/out" 2>"$tmp/progress"
status=$?
[ $status -eq 0 ] || fail "example_inet must pass on reference and cpython (status $status): $(cat "$tmp/out")"
grep -q '^Result: OK$' "$tmp/out" || fail "no OK result"
grep -q '^Wall time: ' "$tmp/out" || fail "no wall time"
grep -q '^report: \[1/1\] example_inet: 4 cases done$' "$tmp/progress" || fail "no progress: $(cat "$tmp/progress")"
python3 - "$tmp/r.json" <<'PY' || fail "bad JSON results"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["failures"] == 0, r["failures"]
assert [i["name"] for i in r["implementations"]] == ["reference", "cpython"]
assert len(r["cases"]) == 4
assert all(c["results"]["reference"]["verdict"] == "pass" for c in r["cases"])
assert r["summary"]["reference"]["agree"] == 4
PY

# Repeated filters add up: the cases matching any of them.
"$report" --filter 'example_inet.*' --filter 'example_socket.*' >"$tmp/out" 2>"$tmp/progress"
[ $? -eq 0 ] || fail "example_inet and example_socket must pass: $(cat "$tmp/out")"
grep -q '^report: [0-9]* of [0-9]* cases on' "$tmp/progress" || fail "no count: $(cat "$tmp/progress")"
grep -q 'example_inet: 4 cases done$' "$tmp/progress" || fail "example_inet left out: $(cat "$tmp/progress")"
grep -q 'example_socket: [0-9]* cases done$' "$tmp/progress" ||
  fail "the second --filter was ignored: $(cat "$tmp/progress")"

# The oracle runs: CPython diverges from the wrong expectation, the reference agrees with it.
"$report" --cases conformance/report/testdata >"$tmp/out" 2>/dev/null
status=$?
[ $status -eq 0 ] || fail "a documentation divergence alone must not fail the run: $(cat "$tmp/out")"
grep -q '^DOCUMENTATION DIVERGENCES' "$tmp/out" || fail "no divergence section: $(cat "$tmp/out")"
grep -q '      CPython:    256$' "$tmp/out" || fail "CPython's outcome not shown: $(cat "$tmp/out")"

# Without the oracle the case is judged against its documentation, and fails.
"$report" --cases conformance/report/testdata --impl cpython-debian >"$tmp/out" 2>/dev/null
status=$?
[ $status -eq 1 ] || fail "a failure must exit with status 1 (got $status)"
grep -q '^  FAIL cpython-debian  wrong_docs.htons.claims_identity' "$tmp/out" || fail "$(cat "$tmp/out")"
grep -q 'expectations line: wrong_docs.htons.claims_identity fail@1: 256$' "$tmp/out" ||
  fail "no expectations line: $(cat "$tmp/out")"
echo PASS
