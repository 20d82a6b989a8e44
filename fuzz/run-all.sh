#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) each, two at a time (the machine this
# project is measured on has 2 cores), each on its committed corpus, and prints a table of
# executions per target for docs/development.md. A crash, a hang (over 10 s on one input)
# or a leak stops that target; its input is in fuzz/artifacts/TARGET and the log in
# fuzz/logs/TARGET.log. Exit 1 when any target stopped early.
#
#   fuzz/run-all.sh [SECONDS] [TARGET...]
#
# The targets are built once, first (SKA_FUZZ_NO_BUILD=1 skips that and runs what is
# built), and each binary is run as it is: edits made meanwhile do not change the runs.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(user_filter import_csv envfile email sanitize audit_filter)
fi
export RUSTC_BOOTSTRAP=1
mkdir -p logs
if [ -z "${SKA_FUZZ_NO_BUILD:-}" ]; then
  cargo fuzz build >/dev/null
fi
bin="target/$(rustc -vV | sed -n 's/^host: //p')/release"
run() {
  local t="$1"
  mkdir -p "corpus/$t" "artifacts/$t"
  "$bin/$t" -artifact_prefix="artifacts/$t/" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 "corpus/$t" >"logs/$t.log" 2>&1
}
failed=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  for t in "${targets[@]:i:2}"; do
    run "$t" &
    pids+=("$!")
  done
  for p in "${pids[@]}"; do
    wait "$p" || failed=1
  done
done
printf '| target | seconds | executions | per second | corpus files | result |\n|---|---:|---:|---:|---:|---|\n'
for t in "${targets[@]}"; do
  log="logs/$t.log"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
  files=$(find "corpus/$t" -type f | wc -l)
  if grep -qE '^(==[0-9]+==ERROR|SUMMARY: libFuzzer|thread .* panicked)' "$log"; then result="STOPPED (see $log)"; else result="no crash, hang or leak"; fi
  printf '| %s | %s | %s | %s | %s | %s |\n' "$t" "$seconds" "${execs:-?}" "${rate:-?}" "$files" "$result"
done
exit "$failed"
