#!/usr/bin/env bash
# Regenerates the YAML emitter's golden pairs with the real kubectl on PATH:
# each case is one `kubectl create ... --dry-run=client` printed as JSON (the
# input) and as YAML (what our emitter must print byte for byte).
set -euo pipefail
cd "$(dirname "$0")/yaml"
long=$(printf 'word %.0s' $(seq 1 40))
longer=$(printf 'abcdefghij%.0s' $(seq 1 12))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'first\nsecond\n' > "$tmp/file.txt"
printf 'a\n\n\n' > "$tmp/blank.txt"
printf '  leading\nnext\n' > "$tmp/lead.txt"
# Output flags go first: everything after `--` is the container's command.
case_() {
  local name=$1; shift
  kubectl --dry-run=client -o json "$@" > "$name.json"
  kubectl --dry-run=client -o yaml "$@" > "$name.yaml"
}
case_ configmap-scalars create configmap scalars \
  --from-literal=colon='hello: world' --from-literal=number=123 --from-literal=float=1.5 \
  --from-literal=bool=true --from-literal=yes=yes --from-literal=null=null --from-literal=empty= \
  --from-literal=lead=' lead' --from-literal=trail='trail ' --from-literal=dash=-dash \
  --from-literal=dashspace='- item' --from-literal=hash='a #b' --from-literal=hash2='a#b' \
  --from-literal=brace='{json}' --from-literal=star='*x' --from-literal=quote="it's" \
  --from-literal=dq='say "hi"' --from-literal=tilde='~' --from-literal=date=2024-01-02 \
  --from-literal=hex=0x1F --from-literal=octal=0755 --from-literal=time=12:30 \
  --from-literal=url=http://example.com/a?b=c --from-literal=percent=25% \
  --from-literal=long="$long" --from-literal=unbroken="$longer" \
  --from-literal=longcolon="key: $long" --from-literal=tab="$(printf 'a\tb')"
case_ configmap-multiline create configmap multiline \
  --from-literal=nl="$(printf 'line one\nline two')" \
  --from-literal=crlf="$(printf 'a\r\nb')" \
  --from-literal=script="$(printf '#!/bin/sh\necho hi\n  indented\n')" \
  --from-file="$tmp/file.txt" --from-file="$tmp/blank.txt" --from-file="$tmp/lead.txt"
case_ deployment create deployment web --image=nginx:1.27 --replicas=3 --port=80
case_ service create service nodeport web --tcp=80:8080 --node-port=30080
case_ secret create secret generic creds --from-literal=user=admin --from-literal=pass='p@ss: w0rd!'
case_ job create job hello --image=busybox -- echo "hello: world"
case_ cronjob create cronjob tick --image=busybox --schedule='*/5 * * * *' -- date
case_ quota create quota q --hard=cpu=1,memory=1Gi,pods=10
case_ ingress create ingress web --rule='foo.com/bar*=svc:8080' --rule='/api=api:80'
