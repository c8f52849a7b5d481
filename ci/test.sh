#!/usr/bin/env bash
# The test entry point: `bazel test //...` plus a counted summary.
# Extra arguments go to `bazel test` (e.g. --config=asan).
set -uo pipefail
cd "$(dirname "$0")/.."

bep=$(mktemp)
trap 'rm -f "$bep"' EXIT
bazel test //... --build_event_json_file="$bep" "$@"
status=$?
python3 ci/summarize_tests.py "$bep" "$(bazel info bazel-testlogs 2>/dev/null)"
exit $status
