#!/usr/bin/env bash
# Regenerates promtool's golden answers with the real promtool and
# prometheus (2.42) on PATH: fixture.om is backfilled into a temporary
# Prometheus on 127.0.0.1, each line of cases.tsv (tab-separated
# arguments; URL stands for the server) is run as `promtool ARGS`, and
# expected.txt records what it printed:
#   $ ARGS (tab-separated)
#   stdout lines as they are
#   ! stderr lines
#   ? exit status
set -euo pipefail
cd "$(dirname "$0")/promtool"
tmp=$(mktemp -d)
pid=
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; rm -rf "$tmp"; }
trap cleanup EXIT
promtool tsdb create-blocks-from openmetrics fixture.om "$tmp/data" > /dev/null
printf 'global:\n  scrape_interval: 15s\n' > "$tmp/prometheus.yml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
  --storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$port" 2> "$tmp/log" &
pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/-/ready" > /dev/null && break
  sleep 0.1
done
url="http://127.0.0.1:$port"
out=expected.txt
: > "$out"
while IFS=$'\t' read -r -a args; do
  run=()
  for a in "${args[@]}"; do
    if [ "$a" = URL ]; then run+=("$url"); else run+=("$a"); fi
  done
  set +e
  promtool "${run[@]}" > "$tmp/stdout" 2> "$tmp/stderr"
  code=$?
  set -e
  (IFS=$'\t'; printf '$ %s\n' "${args[*]}") >> "$out"
  cat "$tmp/stdout" >> "$out"
  sed 's/^/! /' "$tmp/stderr" >> "$out"
  printf '? %d\n' "$code" >> "$out"
done < cases.tsv
