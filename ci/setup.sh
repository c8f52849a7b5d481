#!/usr/bin/env bash
# Installs the Debian packages sockref needs, only when some are missing.
# Idempotent: a machine that already has everything makes no apt calls.
set -euo pipefail

packages=(
  bazel-bootstrap       # Bazel 4.2.3, the only Bazel Debian ships
  bazel-platforms       # @platforms, wired in WORKSPACE
  bazel-rules-java      # @rules_java, parsed by toolchain resolution
  chromium              # the matrix page's browser test (matrix_page_browser_test): required,
                        # so the test fails rather than skips where this script ran
  clang                 # sanitizer and fuzzer builds (clang 14)
  fontconfig            # fc-list, with which the browser test checks glyph coverage
  fonts-dejavu-core     # Debian's default font: every glyph of the matrix page is in it
  libclang-rt-14-dev    # ASan/UBSan/TSan/libFuzzer runtimes
  libgtest-dev          # GoogleTest
  libidn2-dev           # IDNA host-name encoding, as CPython's "idna" codec
  libgmock-dev          # GoogleMock
  libbenchmark-dev      # Google Benchmark
  libpython3.11-testsuite  # CPython's test_socket.py, run against sockref's extension
  nlohmann-json3-dev    # JSON for the driver protocol
  python3               # the CPython oracle
  python3-dev           # CPython headers for the extension module (//python)
  libbluetooth-dev      # BlueZ headers: the Bluetooth constants CPython has (impl/constants.cc)
  python3.11-dbg        # a Py_DEBUG CPython and its headers: the leak test counts references (//python:leak_test)
  universal-ctags       # C++ function lengths for //ci:source_limits_test
  valgrind              # callgrind instruction counts for the benchmark gate
)
# Third-party implementations validated by the suite (issues 6 and 14); optional for tests.
optional_packages=(pypy3 python3-gevent python3-eventlet python3-trio)

missing=()
for p in "${packages[@]}" "${optional_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "ci/setup.sh: all packages present"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
echo "ci/setup.sh: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -q
# Required packages must install; optional ones may be absent from a mirror.
required_missing=()
for p in "${missing[@]}"; do
  [[ " ${optional_packages[*]} " == *" $p "* ]] || required_missing+=("$p")
done
if ((${#required_missing[@]})); then
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${required_missing[@]}"
fi
for p in "${optional_packages[@]}"; do
  if [[ " ${missing[*]} " == *" $p "* ]]; then
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "$p" ||
      echo "ci/setup.sh: optional package $p not installed" >&2
  fi
done
