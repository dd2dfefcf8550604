#!/usr/bin/env bash
# The steps of `npm test` before the tests: type check, lint and build. Each is one Node process
# that keeps one core busy, and none reads what another writes (tsc -b writes .tsbuild/, the build
# writes out/, lint reads sources only), so they run side by side: on the 2-core CI machine this
# takes the time of the longest instead of the sum. Each step's output is printed whole, in order,
# once all are done; the script fails if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."

logs="$(mktemp -d "${TMPDIR:-/tmp}/sealcall-static-checks.XXXXXX")"
trap 'rm -rf "$logs"' EXIT
steps=(typecheck lint build)
pids=()
started=$(date +%s)
for step in "${steps[@]}"; do
  npm run --silent "$step" >"$logs/$step.log" 2>&1 &
  pids+=("$!")
done

failed=()
for index in "${!steps[@]}"; do
  step="${steps[$index]}"
  if wait "${pids[$index]}"; then status=passed; else status=FAILED; failed+=("$step"); fi
  echo "── npm run $step: $status"
  cat "$logs/$step.log"
done
echo "static checks: ${#steps[@]} steps in $(( $(date +%s) - started )) s${failed[*]:+, failed: ${failed[*]}}"
[ "${#failed[@]}" -eq 0 ]
