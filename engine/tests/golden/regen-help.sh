#!/usr/bin/env bash
# For each command path in kubectl/help-commands.txt, records from the real
# kubectl on PATH the facts our help must agree with: the Usage synopsis, the
# aliases, the Available Commands names and each flag's `-s, --name=default:`
# line. The descriptions are not recorded: ours are in our own words.
set -uo pipefail
cd "$(dirname "$0")/kubectl"
out=help-facts.txt
: > "$out"
while IFS= read -r path; do
  case "$path" in ''|'#'*) continue ;; esac
  printf '== %s\n' "$path" >> "$out"
  # shellcheck disable=SC2086
  kubectl $path --help | awk '
    /^Usage:$/ { getline; sub(/^  /, ""); print "usage: " $0; next }
    /^Aliases:$/ { getline; print "aliases: " $0; next }
    /^Available Commands:$/ { commands = 1; next }
    commands && /^$/ { commands = 0 }
    commands { print "command: " $1; next }
    /^    (-.,  ?)?--[a-z0-9-]+=.*:$/ { sub(/^    /, ""); print "flag: " $0 }
  ' >> "$out"
done < help-commands.txt
