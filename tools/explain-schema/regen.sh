#!/usr/bin/env bash
# Regenerates the explain schema from k8s-openapi (descriptions are dropped:
# ours are written in engine/src/kubectl/explain/descriptions.yaml).
set -euo pipefail
cd "$(dirname "$0")"
cargo run -q --release > ../../engine/src/kubectl/explain/schema.txt
