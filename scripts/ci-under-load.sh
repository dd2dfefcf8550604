#!/usr/bin/env bash
# Runs CI (.ci/run) on fresh clones of this checkout's HEAD, several times in a row, while another
# process holds thousands of loopback connections and churns ports (scripts/loopback-load.ts).
# This is how the suite is shown not to depend on a quiet machine.
#   bash scripts/ci-under-load.sh [runs]      (default 3; logs in a temp folder, printed at the end)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
repo="$PWD"
work="$(mktemp -d "${TMPDIR:-/tmp}/sealcall-ci-under-load.XXXXXX")"
[ -d node_modules ] || { echo "ci-under-load: run npm ci here first (the load generator runs from this checkout)"; exit 2; }

npx tsx scripts/loopback-load.ts >"$work/load.log" 2>&1 &
load=$!
trap 'kill "$load" 2>/dev/null || true' EXIT
sleep 5
kill -0 "$load" || { echo "ci-under-load: the load generator did not start:"; cat "$work/load.log"; exit 2; }

failed=0
for run in $(seq 1 "$runs"); do
  clone="$work/clone-$run"
  git clone --quiet "$repo" "$clone"
  started=$(date +%s)
  if (cd "$clone" && bash .ci/run) >"$work/run-$run.log" 2>&1; then result=passed; else result=FAILED; failed=1; fi
  echo "run $run: $result in $(( $(date +%s) - started )) s ($(grep -Eo '[0-9]+ (passed|flaky|failed|skipped)' "$work/run-$run.log" | tr '\n' ' '))"
  rm -rf "$clone"
done
echo "logs: $work"
exit "$failed"
