# Running test steps (sourced by scripts/test; checked by tests/runner/check): each step has a time budget,
# and a step that leaves a process running fails.
# shellcheck shell=bash

failures=()
# Every process a step starts carries this mark in its environment, so that one left running
# afterwards (it would hold the caller's output open, and CI waits for that) is found and stopped.
TB_TEST_RUN="tb-test-$$-$RANDOM$RANDOM"
export TB_TEST_RUN
step_pgid=""
trap 'trap - INT TERM; [[ -n "$step_pgid" ]] && kill -TERM -- "-$step_pgid" 2>/dev/null; stop_leftovers; exit 130' INT TERM

# The processes (not this shell) that carry this run's mark.
marked_processes() {
  local env pid
  for env in /proc/[0-9]*/environ; do
    pid="${env#/proc/}"; pid="${pid%/environ}"
    [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
    grep -qzxF "TB_TEST_RUN=$TB_TEST_RUN" "$env" 2>/dev/null && echo "$pid"
  done
}

# Prints and stops the processes still carrying this run's mark a second after a step (one that is
# only finishing its exit then is not counted).
stop_leftovers() {
  local pid found
  [[ -z "$(marked_processes)" ]] && return 0
  sleep 1
  mapfile -t found < <(marked_processes)
  [[ ${#found[@]} -eq 0 ]] && return 0
  for pid in "${found[@]}"; do
    printf '    left running: pid %s: %s\n' "$pid" "$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | cut -c1-150)" >&2
  done
  kill -TERM "${found[@]}" 2>/dev/null; sleep 1; kill -KILL "${found[@]}" 2>/dev/null
  return 1
}

# run_step NAME BUDGET_SECONDS COMMAND...: a step that overruns its budget is stopped (its whole
# process group) and fails, so a hang costs minutes, not the CI run.
# A step whose runner (a path) is missing or not executable fails and says so: a suite is never skipped.
run_step() {
  local name="$1" budget="$2"; shift 2
  tb_log "test: $name"
  local start=$SECONDS rc
  if [[ "$1" == */* && ! -x "$1" ]]; then
    printf '    FAIL %s: %s %s\n' "$name" "$1" "$([[ -e "$1" ]] && echo "is not executable" || echo "does not exist")" >&2
    failures+=("$name")
    return 0
  fi
  timeout --kill-after=15 "$budget" "$@" &
  step_pgid=$!
  rc=0
  wait "$step_pgid" || rc=$?
  step_pgid=""
  if [[ $rc -eq 124 || $rc -eq 137 ]]; then
    printf '    FAIL %s: still running after its budget of %d s (stopped)\n' "$name" "$budget" >&2
  fi
  if ! stop_leftovers; then
    printf '    FAIL %s: left processes running (listed above; stopped)\n' "$name" >&2
    rc=1
  fi
  if [[ $rc -eq 0 ]]; then
    printf '    PASS %s (%ds)\n' "$name" $((SECONDS - start)) >&2
  else
    printf '    FAIL %s (%ds)\n' "$name" $((SECONDS - start)) >&2
    failures+=("$name")
  fi
}

