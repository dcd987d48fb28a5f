#!/usr/bin/env bash
# Runs each line of kubectl/cases.txt through the real kubectl on PATH and
# writes kubectl/expected.txt: `$ kubectl LINE`, then stdout, stderr lines
# prefixed `! `, and `? N` for a non-zero exit, as the scenario files read.
# Each line runs in a fresh copy of kubectl/files, which the test also reads.
set -uo pipefail
cd "$(dirname "$0")/kubectl"
out=expected.txt
: > "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  printf '$ kubectl %s\n' "$line" >> "$out"
  rm -rf "$tmp/files" && cp -r files "$tmp/files"
  # `config` lines read the playground's default kubeconfig, copied here;
  # the others must not, or kubectl would try to trust its placeholder CA.
  case "$line" in
    config*) export KUBECONFIG="$tmp/files/kubeconfig" ;;
    *) export KUBECONFIG="$tmp/none" ;;
  esac
  (cd "$tmp/files" && eval "kubectl $line") > "$tmp/stdout" 2> "$tmp/stderr"
  code=$?
  cat "$tmp/stdout" >> "$out"
  grep -v 'memcache.go' "$tmp/stderr" | sed 's/^/! /; s/^! $/!/' >> "$out"
  [ "$code" -ne 0 ] && printf '? %s\n' "$code" >> "$out"
done < cases.txt
