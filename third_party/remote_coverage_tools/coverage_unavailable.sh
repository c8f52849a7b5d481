#!/bin/sh
echo "sockref: Bazel coverage tools are not available offline" >&2
exit 1
