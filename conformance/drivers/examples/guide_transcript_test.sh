#!/bin/bash
# The guide's hand-made conversation with the toy driver ("3. Talk to it by hand" in
# docs/validating-your-implementation.md), run as the guide shows it, and its replies compared
# with the ones the guide prints (timings, the interpreter's path and the uid capability aside).
set -u
guide=$PWD/docs/validating-your-implementation.md
out=$(mktemp "${TEST_TMPDIR:-/tmp}/replies.XXXXXX")
fail() {
  echo "FAIL: $*"
  exit 1
}

(
  cd conformance/drivers/examples
  printf '%s\n' \
    '{"op": "hello", "protocol": "sockref-driver/1"}' \
    '{"op": "begin", "case": "example_inet.htons.sixteen_bit_range"}' \
    '{"op": "exec", "step": 1, "stmt": {"assign": null, "expr": {"call": {"attr": [{"name": "socket"}, "htons"]}, "args": [{"lit": -1}], "kwargs": {}}}}' \
    '{"op": "exec", "step": 2, "stmt": {"assign": null, "expr": {"attr": [{"name": "socket"}, "socketpair"]}}}' \
    '{"op": "end"}' '{"op": "quit"}' | timeout 60 python3 toy_driver.py
) >"$out" || fail "the toy driver failed: $(cat "$out")"

python3 - "$guide" "$out" <<'PY' || fail "the replies differ from the guide's"
import json, re, sys
guide = open(sys.argv[1]).read()
# The replies the guide prints: the plain block right after the command's block.
shown = re.search(r"\| python3 toy_driver\.py\n```\n\n```\n(.*?)\n```", guide, re.S).group(1).split("\n")
got = open(sys.argv[2]).read().rstrip("\n").split("\n")
assert len(got) == len(shown) == 6, (got, shown)
def comparable(line):
    reply = json.loads(line)
    for varying in ("elapsed", "started_at", "interpreter"):
        reply.pop(varying, None)
    if "capabilities" in reply:  # as root the guide says root; elsewhere nonroot
        reply["capabilities"] = [c for c in reply["capabilities"] if c not in ("root", "nonroot")]
    return reply
for s, g in zip(shown, got):
    assert comparable(s) == comparable(g), "\nguide: %s\ngot:   %s" % (s, g)
PY
echo PASS
