#!/usr/bin/env bash
# The test entry point: `bazel test //...` plus a counted summary line
# (`N passed, N failed`) computed from Bazel's own results.
# Extra arguments go to `bazel test`, e.g. `ci/test.sh --config=asan //impl/...`;
# without a target pattern the whole workspace (//...) is tested.
set -uo pipefail
cd "$(dirname "$0")/.."

flags=() targets=()
for arg in "$@"; do
  if [[ $arg == //* || $arg == -//* ]]; then targets+=("$arg"); else flags+=("$arg"); fi
done
((${#targets[@]})) || targets=(//...)

bep=$(mktemp)
trap 'rm -f "$bep"' EXIT
bazel test "${flags[@]}" --build_event_json_file="$bep" -- "${targets[@]}"
status=$?
python3 ci/summarize_tests.py "$bep" "$(bazel info "${flags[@]}" bazel-testlogs 2>/dev/null)"
exit $status
