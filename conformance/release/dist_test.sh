#!/bin/bash
# The release tarball (//conformance:dist) used as a third party would, without Bazel: unpacked
# into an empty directory, run from elsewhere with an environment holding nothing of Bazel's
# (no RUNFILES_DIR, no TEST_SRCDIR, no BUILD_WORKSPACE_DIRECTORY), it finds its suite beside
# bin/ and passes the example cases on every implementation it ships.
set -u
not_run=()  # parts left out for want of something on this machine: said, never passed
tarball=$PWD/conformance/sockref-conformance.tar.gz
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/dist.XXXXXX")
fail() {
  echo "FAIL: $*"
  exit 1
}

tar -xzf "$tarball" -C "$tmp" || fail "cannot unpack $tarball"
release=$tmp/sockref-conformance
for f in bin/report bin/matrix conformance/implementations.json conformance/cases/example_inet.cases \
  conformance/expectations/pypy3.txt conformance/drivers/oracle/driver.py \
  conformance/drivers/kit/sockref_driver_kit/__init__.py conformance/drivers/trio/driver.py \
  conformance/drivers/reference/reference_driver python/sockref_socket.py python/_sockref_socket.so \
  conformance/drivers/examples/toy_driver.py conformance/CASES.md conformance/PROTOCOL.md \
  docs/validating-your-implementation.md; do
  [ -e "$release/$f" ] || fail "the release lacks $f: $(cd "$release" && find . -type f | sort)"
done
if tar -tzf "$tarball" | grep -v '^sockref-conformance/'; then fail "files outside sockref-conformance/"; fi
if ldd "$release/bin/report" | grep 'not found'; then fail "bin/report needs libraries the system lacks"; fi

# run ARGS...: bin/report from an unrelated directory, with a bare environment.
run() {
  (cd "$tmp" && env -i PATH="$PATH" HOME="$tmp" LANG=C.UTF-8 "$@")
}

run "$release/bin/report" --filter 'example_inet.*' >"$tmp/out" 2>"$tmp/err"
status=$?
[ $status -eq 0 ] || fail "the release's report failed (status $status): $(cat "$tmp/out" "$tmp/err")"
grep -q '^Result: OK$' "$tmp/out" || fail "no OK: $(cat "$tmp/out")"
grep -q '^  reference  *sockref ' "$tmp/out" || fail "the in-process reference did not run: $(cat "$tmp/out")"

# The shipped drivers: the reference as a program, and as CPython's _socket (python/). A
# sanitizer build (CI's ASan stage sets ASAN_OPTIONS) makes an extension that a plain
# interpreter cannot load at all, so there the Python binding is left out, and says so.
python_driver=(--impl reference-python)
if [[ -n ${ASAN_OPTIONS:-} || -n ${TSAN_OPTIONS:-} ]]; then
  python_driver=()
  echo "NOTE: reference-python not run: the extension is sanitizer-instrumented in this build"
fi
run "$release/bin/report" --impl reference-binary "${python_driver[@]}" --impl cpython \
  --filter 'example_inet.*' >"$tmp/out" 2>"$tmp/err" ||
  fail "the shipped drivers failed: $(cat "$tmp/out" "$tmp/err")"
grep -q '^Result: OK$' "$tmp/out" || fail "no OK with the shipped drivers: $(cat "$tmp/out")"

# The shipped trio driver (the kit with an asynchronous adapter), on one area with its
# expectations file. It needs Debian's python3-trio (ci/setup.sh installs it); without trio this
# part is not run, and says so: it is not a pass.
if /usr/bin/python3 -c 'import trio' 2>/dev/null; then
  run "$release/bin/report" --impl cpython --impl trio \
    --expectations "trio=$release/conformance/expectations/trio.txt" --filter 'byteorder.*' \
    >"$tmp/out" 2>"$tmp/err" || fail "the shipped trio driver failed: $(cat "$tmp/out" "$tmp/err")"
  grep -q '^Result: OK$' "$tmp/out" || fail "no OK with the shipped trio driver: $(cat "$tmp/out")"
  grep -q '^  trio  ' "$tmp/out" || fail "trio did not run: $(cat "$tmp/out")"
else
  not_run+=("the shipped trio driver")
  echo "NOT RUN: the shipped trio driver: /usr/bin/python3 cannot import trio (apt-get install python3-trio)"
fi

# The matrix too, and a registry of one's own beside it ({dir}), as the guide's toy does.
run "$release/bin/matrix" --registry "$release/conformance/drivers/examples/toy_registry.json" \
  --expectations "toy=$release/conformance/drivers/examples/toy_expectations.txt" \
  --impl cpython --impl toy --filter 'byteorder.*' --html "$tmp/m.html" --junit "$tmp/m.xml" \
  >"$tmp/out" 2>"$tmp/err" || fail "the release's matrix failed: $(cat "$tmp/out" "$tmp/err")"
grep -q 'data-verdicts="pass pass"' "$tmp/m.html" || fail "no matrix written: $(cat "$tmp/err")"
grep -q '<testsuite name="toy"' "$tmp/m.xml" || fail "no JUnit written"

# The guide's commands ("Running without Bazel"), in the temporary directory instead of /opt.
mkdir "$tmp/opt" && tar -xzf "$tarball" -C "$tmp/opt" || fail "cannot unpack into $tmp/opt"
(
  cd "$tmp/opt/sockref-conformance" || exit 1
  bin/report --filter 'example_inet.*' >"$tmp/out" 2>&1 || fail "bin/report from the release: $(cat "$tmp/out")"
  bin/report --registry conformance/drivers/examples/toy_registry.json --impl cpython --impl toy \
    --expectations toy=conformance/drivers/examples/toy_expectations.txt --filter 'byteorder.*' \
    --junit "$tmp/toy.xml" >"$tmp/out" 2>&1 || fail "the toy from the release: $(cat "$tmp/out")"
  grep -q '<testsuite name="toy"' "$tmp/toy.xml" || fail "no JUnit for the toy"
) || exit 1

# Moved elsewhere, it still finds its suite: nothing in it names where it was built or unpacked.
mv "$release" "$tmp/moved"
run "$tmp/moved/bin/report" --filter 'example_inet.*' >"$tmp/out" 2>&1 ||
  fail "a moved release failed: $(cat "$tmp/out")"
if ((${#not_run[@]})); then
  echo "PASS, except what was NOT RUN: $(IFS=,; echo "${not_run[*]}")"
else
  echo PASS
fi
