#!/usr/bin/env bash
# Line and branch coverage of src/ by the unit, vector and interop tests,
# from a clang 14 source-based coverage build (the `coverage` preset).
# Writes build/coverage/html/index.html and prints a summary per folder of
# src/ (also kept in build/coverage/summary.md). Not part of CI: the
# instrumented run takes several times as long as the release one.
#
#   scripts/coverage.sh            build, run, report
#   JOBS=4 scripts/coverage.sh     more parallel jobs (default 2)
#   scripts/coverage.sh --report   report on the profiles of the last run
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
build=build/coverage
profiles=$here/$build/profiles
jobs=${JOBS:-2}

if [[ ${1:-} != --report ]]; then
  cmake --preset coverage >/dev/null
  cmake --build --preset coverage -j "$jobs"
  rm -rf "$profiles"
  mkdir -p "$profiles"
  # One profile per process (%p) and binary (%m): cliquet-peer runs many
  # times over in the interop tests. Left out: the constant-time checks
  # (valgrind, no coverage of their own) and the install check (a consumer
  # built without the profile runtime cannot link the instrumented library).
  # A failing test is reported, and the report is still written.
  LLVM_PROFILE_FILE="$profiles/%p-%m.profraw" \
    ctest --preset coverage -j "$jobs" -L 'unit|vectors|interop' -E '^(ct\.|install\.consumer)' || status=$?
  if [[ ${status:-0} != 0 ]]; then echo "coverage: some tests failed (ctest exit $status); reporting anyway" >&2; fi
fi

llvm-profdata-14 merge -sparse "$profiles"/*.profraw -o "$build/coverage.profdata"
# Every binary that runs library code under the tests.
objects=()
for binary in tests/cliquet-tests tests/alloc/cliquet-alloc-tests tools/cliquet-peer tools/cliquet-vectors; do
  if [[ -x $build/$binary ]]; then objects+=(-object "$build/$binary"); fi
done
first=${objects[1]}
rest=("${objects[@]:2}")
# Only src/: the compiler saw paths relative to the build directory
# (ccache's base directory), so the rest is left out by name.
ignore='/(include|tests|testing|tools|examples|bench|proto)/|^/usr/'
llvm-cov-14 show -format=html -output-dir="$build/html" -instr-profile="$build/coverage.profdata" \
  -show-branches=count -show-line-counts-or-regions -ignore-filename-regex="$ignore" "$first" "${rest[@]}" \
  >/dev/null
llvm-cov-14 export -summary-only -instr-profile="$build/coverage.profdata" -ignore-filename-regex="$ignore" \
  "$first" "${rest[@]}" >"$build/summary.json"

# Lines and branches per folder of src/ (each folder on its own, not with its
# subfolders), then the files below 100% of lines, worst first.
python3 - "$build/summary.json" "$here/src/" > "$build/summary.md" <<'PY'
import json, os, sys
data = json.load(open(sys.argv[1]))["data"][0]["files"]
root = sys.argv[2]
folders = {}
files = []
for entry in data:
    name = os.path.normpath(entry["filename"])
    if not name.startswith(root):
        continue
    relative = name[len(root):]
    folder = "src/" + os.path.dirname(relative) if os.path.dirname(relative) else "src"
    lines, branches = entry["summary"]["lines"], entry["summary"]["branches"]
    total = folders.setdefault(folder, [0, 0, 0, 0])
    total[0] += lines["covered"]; total[1] += lines["count"]
    total[2] += branches["covered"]; total[3] += branches["count"]
    files.append((relative, lines, branches))

def percent(covered, count):
    return "100.0%" if count == 0 else f"{100.0 * covered / count:.1f}%"

print("| folder | lines | branches |")
print("|---|---|---|")
overall = [0, 0, 0, 0]
for folder in sorted(folders):
    t = folders[folder]
    overall = [a + b for a, b in zip(overall, t)]
    print(f"| `{folder}` | {percent(t[0], t[1])} ({t[0]}/{t[1]}) | {percent(t[2], t[3])} ({t[2]}/{t[3]}) |")
print(f"| all of `src/` | {percent(overall[0], overall[1])} | {percent(overall[2], overall[3])} |")
print()
print("| file below 100% of lines | lines | branches |")
print("|---|---|---|")
for relative, lines, branches in sorted(files, key=lambda f: f[1]["percent"]):
    if lines["covered"] < lines["count"]:
        print(f"| `src/{relative}` | {percent(lines['covered'], lines['count'])} "
              f"({lines['count'] - lines['covered']} missed) | {percent(branches['covered'], branches['count'])} |")
PY
cat "$build/summary.md"
echo "coverage: HTML report in $build/html/index.html"
