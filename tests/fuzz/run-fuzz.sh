#!/bin/sh
# Runs one libFuzzer target: first every input of its seed corpus and of its
# reproducers of past findings (../crashes/<target>/, each must pass once
# its bug is fixed), then a bounded fuzzing run. New inputs go to a
# temporary directory, never into the source tree. A crash, leak, UB report
# or broken property makes libFuzzer exit 1 (not its default 77, which meson
# counts as a skip); the reproducer is kept in $KVS_FUZZ_ARTIFACTS (default:
# the current directory).
#
#   run-fuzz.sh TARGET SEED_DIR [DICT]
#   KVS_FUZZ_SECONDS (default 20), KVS_FUZZ_RUNS (default 20000, -1 = no
#   limit), KVS_FUZZ_SEED (default 1, 0 = random), KVS_FUZZ_EXTRA (more
#   libFuzzer flags, e.g. "-fork=2 -ignore_crashes=1"), KVS_FUZZ_WORK (keep
#   the new inputs in this directory instead of a temporary one),
#   KVS_FUZZ_KNOWN (ids of recorded findings the targets stop checking, see
#   fuzz-common.h)
set -u

target=$1
seeds=$2
dict=${3:-}
seconds=${KVS_FUZZ_SECONDS:-20}
runs=${KVS_FUZZ_RUNS:-20000}
artifacts=${KVS_FUZZ_ARTIFACTS:-.}
name=$(basename "$target")
crashes=$(dirname "$seeds")/../crashes/$(basename "$seeds")

mkdir -p "$artifacts" || exit 1
if [ -n "${KVS_FUZZ_WORK:-}" ]; then
  work=$KVS_FUZZ_WORK
  mkdir -p "$work" || exit 1
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/kvs-fuzz-$name.XXXXXX") || exit 1
  trap 'rm -rf "$work"' EXIT
  trap 'exit 130' INT TERM
fi

set -- -artifact_prefix="$artifacts/$name-" -max_total_time="$seconds" \
  -runs="$runs" -seed="${KVS_FUZZ_SEED:-1}" -timeout=10 -rss_limit_mb=2048 \
  -max_len=16384 -detect_leaks=1 -error_exitcode=1 -timeout_exitcode=1 \
  -print_final_stats=1
if [ -n "$dict" ]; then
  set -- "$@" -dict="$dict"
fi
# shellcheck disable=SC2086
set -- "$@" ${KVS_FUZZ_EXTRA:-} "$work" "$seeds"
if [ -d "$crashes" ]; then
  set -- "$@" "$crashes"
fi

"$target" "$@"
status=$?
echo "run-fuzz: $name exited with $status" >&2
exit $status
