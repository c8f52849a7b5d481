#!/bin/bash
# make_dist.sh OUT.tar.gz --bin FILE... --tree FILE...
# Packs the suite's release tree (//conformance:dist) as sockref-conformance/ in OUT.tar.gz:
#   --bin FILE   a program, put in bin/ (bin/matrix for matrix_cli)
#   --tree FILE  a file put at its workspace path (bazel-out/<config>/bin/ dropped from a
#                generated one), so conformance/implementations.json's {root} paths hold
# The archive is reproducible: sorted, owned by 0:0, dated at the epoch, gzip without a name.
set -euo pipefail
out=$1
shift
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
top=$stage/sockref-conformance
mode=
for f in "$@"; do
  case $f in
    --bin | --tree) mode=$f; continue ;;
  esac
  rel=$(sed -E 's|^bazel-out/[^/]+/bin/||' <<<"$f")
  if [[ $mode == --bin ]]; then
    name=$(basename "$rel")
    dest=$top/bin/${name%_cli}
  else
    dest=$top/$rel
  fi
  mkdir -p "$(dirname "$dest")"
  cp -L "$f" "$dest"
  chmod u+w,go-w "$dest"
done
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$stage" -cf - sockref-conformance |
  gzip -n >"$out"
