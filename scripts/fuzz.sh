#!/usr/bin/env bash
# A fuzzing campaign: runs each libFuzzer target (tests/fuzz, built by the
# asan-ubsan preset) for a set time, starting from its seeds
# (tests/fuzz/seeds) and the corpus kept in the repository
# (tests/fuzz/corpus), then merges what it found into that corpus, minimized,
# and prints executions and coverage per target. Crashes are kept in
# build/asan-ubsan/fuzz-campaign/<target>/ and make the script fail.
#
#   scripts/fuzz.sh                      every target: 30 min for the stateful
#                                        ones (session, group, SPQR), 10 min others
#   scripts/fuzz.sh -m 1 -s 3            1 min per target, 3 for the stateful ones
#   scripts/fuzz.sh -m 2 fuzz_spqr ...   only the targets named
#   scripts/fuzz.sh -j 2                 run two targets at once
#   scripts/fuzz.sh --no-build           use the build as it is
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
minutes=10
stateful_minutes=30
parallel=1
build_first=1
targets=()
while (($#)); do
  case $1 in
    -m) minutes=$2; shift 2 ;;
    -s) stateful_minutes=$2; shift 2 ;;
    -j) parallel=$2; shift 2 ;;
    --no-build) build_first=0; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
build=build/asan-ubsan
if ((${#targets[@]} == 0)); then
  for source in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$source" .cpp)"); done
fi
if ((build_first)); then
  cmake --preset asan-ubsan >/dev/null
  cmake --build --preset asan-ubsan -j 2 --target "${targets[@]}"
fi

campaign=$build/fuzz-campaign
mkdir -p "$campaign"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

is_stateful() { [[ $1 == fuzz_session_stateful || $1 == fuzz_group_stateful || $1 == fuzz_spqr ]]; }

# Runs one target; its figures go to $campaign/<target>/result.
run_target() {
  local target=$1 binary=$build/tests/fuzz/$1
  local work=$campaign/$target corpus=tests/fuzz/corpus/$target seeds=tests/fuzz/seeds/$target
  local seconds=$((minutes * 60))
  if is_stateful "$target"; then seconds=$((stateful_minutes * 60)); fi
  mkdir -p "$work/found" "$corpus" "$seeds"
  local before
  before=$(find "$corpus" -type f | wc -l)
  local status=0
  "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$work/" "$work/found" "$corpus" "$seeds" >"$work/log" 2>&1 || status=$?
  # Minimized: the smallest set of inputs that keeps every feature reached.
  rm -rf "$work/merged"
  mkdir -p "$work/merged"
  "$binary" -merge=1 -rss_limit_mb=2048 -max_len=65536 "$work/merged" "$corpus" "$work/found" \
    >"$work/merge.log" 2>&1
  rm -f "$corpus"/*
  if compgen -G "$work/merged/*" >/dev/null; then cp "$work/merged"/* "$corpus"/; fi
  local after executions coverage features crashes
  after=$(find "$corpus" -type f | wc -l)
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  coverage=$(grep -o 'cov: [0-9]*' "$work/log" | tail -1 | cut -d' ' -f2)
  features=$(grep -o 'ft: [0-9]*' "$work/log" | tail -1 | cut -d' ' -f2)
  crashes=$(find "$work" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 -name 'leak-*' -o -maxdepth 1 -name 'timeout-*' -o -maxdepth 1 -name 'oom-*' | wc -l)
  printf '%s %s %s %s %s %s %s %s %s\n' "$target" "$seconds" "${executions:-0}" "${coverage:-0}" "${features:-0}" \
    "$before" "$after" "$crashes" "$status" >"$work/result"
}

export -f run_target is_stateful
export build campaign minutes stateful_minutes
printf '%s\n' "${targets[@]}" | xargs -P "$parallel" -I{} bash -c 'run_target {}'

printf '%-38s %7s %12s %9s %7s %7s %15s %s\n' target seconds executions exec/s cov ft corpus crashes
failed=0
for target in "${targets[@]}"; do
  read -r name seconds executions coverage features before after crashes status <"$campaign/$target/result"
  printf '%-38s %7s %12s %9s %7s %7s %15s %s\n' "$name" "$seconds" "$executions" "$((executions / seconds))" \
    "$coverage" "$features" "$before -> $after" "$crashes"
  if ((crashes > 0 || status != 0)); then
    failed=1
    echo "  $name: exit $status; see $campaign/$name/log and its crash-* files" >&2
  fi
done
exit $failed
