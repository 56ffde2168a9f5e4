# Running test steps (sourced by scripts/test; checked by tests/runner/check): each step has a time budget,
# and a step that leaves a process running fails. Steps run one at a time (run_step) or, queued with
# queue_step, several at a time (run_queued).
# shellcheck shell=bash

failures=()
step_times=()   # "SECONDS NAME" for each step run, in the order they ended (print_step_times)
queued=()       # the steps queue_step added, each a shell-quoted run_step argument list
lane_pids=()    # the subshells running queued steps, stopped by an interrupt
# Every process a step starts carries this mark in its environment, so that one left running
# afterwards (it would hold the caller's output open, and CI waits for that) is found and stopped.
TB_TEST_RUN="tb-test-$$-$RANDOM$RANDOM"
export TB_TEST_RUN
step_pgid=""
stop_all() {
  local pid
  trap - INT TERM
  [[ -n "$step_pgid" ]] && kill -TERM -- "-$step_pgid" 2>/dev/null
  for pid in "${lane_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${lane_pids[@]}"; do wait "$pid" 2>/dev/null; done
  stop_leftovers
  exit 130
}
trap stop_all INT TERM

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
    step_times+=("0 $name")
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
  step_times+=("$((SECONDS - start)) $name")
  if [[ $rc -eq 0 ]]; then
    printf '    PASS %s (%ds)\n' "$name" $((SECONDS - start)) >&2
  else
    printf '    FAIL %s (%ds)\n' "$name" $((SECONDS - start)) >&2
    failures+=("$name")
  fi
}


# queue_step NAME BUDGET_SECONDS COMMAND...: as run_step, but the step runs at the next run_queued.
queue_step() {
  queued+=("$(printf '%q ' "$@")")
}

# run_lane I DIR: runs queued step I (in a subshell of its own, started with &), its output into DIR/I.out and
# its time into DIR/I.time; fails when the step failed.
run_lane() {
  TB_TEST_RUN="$TB_TEST_RUN-$1"
  export TB_TEST_RUN
  failures=() step_times=() lane_pids=()
  trap stop_all INT TERM
  eval "run_step ${queued[$1]}" >"$2/$1.out" 2>&1
  printf '%s\n' "${step_times[@]}" >"$2/$1.time"
  [[ ${#failures[@]} -eq 0 ]]
}

# run_queued JOBS: runs the queued steps, JOBS at a time, in the order queued (put the longest first). Each
# step keeps its own budget and its own mark (TB_TEST_RUN with a suffix: the leftover check of one never sees
# another's processes); its output is held in a file and printed whole, with its PASS or FAIL line, when it
# ends. The steps must not share files, ports or sockets (every runner works in its own mktemp directory and
# asks for free ports).
run_queued() {
  local jobs="$1" dir i pid rc start=$SECONDS next=0 n=${#queued[@]} name
  local -A lane_step=()
  dir="$(mktemp -d /tmp/tb-steps.XXXXXX)"
  tb_log "test: ${n} steps, ${jobs} at a time"
  while [[ $next -lt $n || ${#lane_step[@]} -gt 0 ]]; do
    while [[ $next -lt $n && ${#lane_step[@]} -lt $jobs ]]; do
      run_lane "$next" "$dir" &
      lane_step[$!]=$next
      lane_pids+=("$!")
      next=$((next + 1))
    done
    rc=0
    wait -n -p pid "${!lane_step[@]}" || rc=$?
    i="${lane_step[$pid]}"
    unset "lane_step[$pid]"
    cat "$dir/$i.out" >&2
    eval "set -- ${queued[$i]}"
    name="$1"
    # a lane stopped before it wrote its time (an interrupt) has none
    [[ -s "$dir/$i.time" ]] && step_times+=("$(cat "$dir/$i.time")")
    [[ $rc -eq 0 ]] || failures+=("$name")
  done
  lane_pids=() queued=()
  rm -rf "$dir"
  printf '    %d steps, %d at a time, took %ds\n' "$n" "$jobs" $((SECONDS - start)) >&2
}

# print_step_times: each step's time, then the total since the shell started.
print_step_times() {
  local t
  tb_log "step times"
  for t in "${step_times[@]}"; do printf '    %5ds  %s\n' "${t%% *}" "${t#* }" >&2; done
  printf '    %5ds  total\n' "$SECONDS" >&2
}
