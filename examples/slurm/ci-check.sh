#!/usr/bin/env bash
# A real Slurm, on this one machine, runs a sharded sweep with
# examples/slurm/sweep.sbatch and merge.sbatch; the merged sweep.csv must be
# byte-identical to an unsharded run.
#
#   bash examples/slurm/ci-check.sh        # as root, on Debian (run by .ci/run)
#
# Steps: install Debian's slurmctld, slurmd, slurm-client and munge; start
# munged, slurmctld and slurmd (own config, sockets, ports and state under a
# temporary directory; nothing in /etc is used); build ccsim; submit a 4-task
# array over scenarios/sweeps/staffing.toml and the merge job after it;
# requeue task 1 while it runs, once its shard file holds a complete point,
# and check that it resumed; check the retry policy (exit 2 fails at once,
# exit 1 requeues only that task) and a shard run again alone; run the same
# sweep unsharded and `cmp` the two files. examples/slurm/README.md has more.
#
# Exit 0 when everything matched; 1 on any failure (the logs are printed);
# 0 with "SKIPPED: <reason>" only when Slurm cannot be installed here (no
# apt-get, not root, no network to Debian's archive).
#
# Environment: CCSIM (a ccsim binary; default: `cargo build --release`),
# CCSIM_SLURM_REPLICATIONS (default 8000: a task runs 10 to 30 s, long
# enough to be requeued in the middle), CCSIM_SLURM_PORT (slurmctld's port,
# default 16817; slurmd uses the next one), CCSIM_SLURM_TIMEOUT (seconds for
# the whole check after the build, default 900).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
reps=${CCSIM_SLURM_REPLICATIONS:-8000}
port=${CCSIM_SLURM_PORT:-16817}
budget=${CCSIM_SLURM_TIMEOUT:-900}
shards=4
sweep=$root/scenarios/sweeps/staffing.toml
sweep_name=erlang-staffing
t0=$SECONDS

say() { printf '[slurm-check %4ds] %s\n' $((SECONDS - t0)) "$*"; }
skip() {
    echo "SKIPPED: $*"
    exit 0
}

# ---------------------------------------------------------------- packages
packages=(slurmctld slurmd slurm-client munge)
have_all() {
    command -v slurmctld && command -v slurmd && command -v sbatch &&
        command -v munged
} >/dev/null 2>&1
if ! have_all; then
    command -v apt-get >/dev/null 2>&1 || skip "no apt-get here to install ${packages[*]}"
    [[ $(id -u) == 0 ]] || skip "not root: cannot install ${packages[*]} nor run Slurm's daemons"
    say "installing ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt_log=$(mktemp)
    if ! timeout 600 apt-get update >"$apt_log" 2>&1; then
        tail -n 20 "$apt_log"
        skip "apt-get update failed: no network to Debian's archive"
    fi
    for p in "${packages[@]}"; do
        apt-cache show "$p" >/dev/null 2>&1 || skip "package $p is not in this system's archive"
    done
    if ! timeout 600 apt-get install -y --no-install-recommends "${packages[@]}" >"$apt_log" 2>&1; then
        tail -n 20 "$apt_log"
        skip "apt-get install ${packages[*]} failed (see above)"
    fi
    rm -f "$apt_log"
    have_all || {
        echo "FAILED: ${packages[*]} installed but slurmctld, slurmd, sbatch or munged is missing" >&2
        exit 1
    }
fi
[[ $(id -u) == 0 ]] || skip "not root: cannot run Slurm's daemons as SlurmUser=root"

# ------------------------------------------------------------------- build
if [[ -z ${CCSIM:-} ]]; then
    say "building ccsim (cargo build --release)"
    (cd "$root" && cargo build --release --quiet)
    CCSIM=$root/target/release/ccsim
fi
[[ -x $CCSIM ]] || {
    echo "FAILED: no ccsim binary at $CCSIM" >&2
    exit 1
}

# From here on everything is bounded: past the budget the check fails.
deadline=$((SECONDS + budget))

work=$(mktemp -d /tmp/ccsim-slurm.XXXXXX)
mkdir -p "$work"/{munge,state,spool,log,out,unsharded,bad}
chmod 755 "$work" "$work/munge" # munged: its socket's directories searchable by all
pids=()

dump_logs() {
    local f
    for f in "$work"/log/* "$work"/*.out; do
        [[ -f $f ]] || continue
        echo "=================== $f (last 60 lines)"
        tail -n 60 "$f"
    done
    if command -v squeue >/dev/null && [[ -n ${SLURM_CONF:-} ]]; then
        echo "=================== squeue"
        timeout 10 squeue -a -o '%.18i %.10T %.20r %.8M %R' || true
        echo "=================== sinfo"
        timeout 10 sinfo -N -l || true
    fi
}
fail() {
    echo "FAILED: $*" >&2
    dump_logs >&2
    echo "slurm-check: 0 passed, 1 failed"
    exit 1
}
cleanup() {
    local status=$? pid i
    trap - EXIT INT TERM
    if [[ -n ${SLURM_CONF:-} ]] && ((${#pids[@]} > 1)); then
        # Jobs still running would outlive slurmd (slurmstepd is its own process).
        timeout 10 scancel -u root >/dev/null 2>&1 || true
        for _ in $(seq 1 40); do
            [[ -z $(timeout 5 squeue -h -t running,completing,suspended -o %i 2>/dev/null) ]] && break
            sleep 0.25
        done
    fi
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        pid=${pids[i]}
        kill "$pid" 2>/dev/null || continue
        for _ in $(seq 1 40); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.25
        done
        kill -9 "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    if ((status == 0)); then
        rm -rf "$work"
    else
        echo "kept $work for inspection" >&2
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'fail "interrupted"' INT TERM

# Runs "$@" until it succeeds, every half second, for at most $1 seconds
# (and never past the deadline).
wait_for() {
    local seconds=$1
    shift
    local until=$((SECONDS + seconds))
    ((until > deadline)) && until=$deadline
    while ((SECONDS < until)); do
        "$@" && return 0
        sleep 0.5
    done
    return 1
}

# ------------------------------------------------------------------- munge
say "starting munged"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
socket=$work/munge/munge.socket
munged -F --socket="$socket" --key-file="$work/munge/munge.key" \
    --pid-file="$work/munge/munged.pid" --log-file="$work/log/munged.log" \
    --seed-file="$work/munge/munged.seed" >>"$work/log/munged.log" 2>&1 &
pids+=($!)
munge_ok() { munge -n -S "$socket" 2>/dev/null | unmunge -S "$socket" >/dev/null 2>&1; }
wait_for 30 munge_ok || fail "munged does not answer on $socket"

# ------------------------------------------------------------------- slurm
host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/^MemTotal:/ { m = int($2 / 1024 / 2); print (m > 4096 ? 4096 : m) }' /proc/meminfo)
# Two free ports from $port on (a listening port accepts a connection).
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 20); do
    listening "$port" || listening $((port + 1)) || break
    port=$((port + 2))
done
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<CONF
# Single-node Slurm for examples/slurm/ci-check.sh (a test box: root runs all).
ClusterName=ccsimci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket,cred_expire=30
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
KillWait=5
MinJobAge=3600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

say "starting slurmctld and slurmd ($host, $cpus CPUs, ${mem_mb} MB, port $port)"
slurmctld -D -c -f "$SLURM_CONF" >>"$work/log/slurmctld.out" 2>&1 &
pids+=($!)
wait_for 30 scontrol ping >/dev/null 2>&1 || fail "slurmctld does not answer"
slurmd -D -f "$SLURM_CONF" >>"$work/log/slurmd.out" 2>&1 &
pids+=($!)
node_idle() { [[ $(sinfo -h -N -n "$host" -o %T 2>/dev/null) == idle ]]; }
wait_for 60 node_idle || fail "node $host is not idle after 60 s"
say "node $host idle"

# Prints a job's (or array task's) field from `scontrol show job`.
job_field() {
    scontrol -o show job "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}
# The states of all tasks of an array, one per line.
array_states() { squeue -h -t all -r -j "$1" -o %T 2>/dev/null; }

# ------------------------------------------------------------- the array
export CCSIM SWEEP=$sweep OUT=$work/out CCSIM_ARGS="--replications $reps" MAX_RETRIES=2
cd "$work"
array=$(sbatch --parsable --array=1-$shards --output="$work/sweep-%A_%a.out" "$here/sweep.sbatch")
array=${array%%;*}
merge=$(SHARDS=$shards sbatch --parsable --dependency=afterok:"$array" \
    --output="$work/merge-%j.out" "$here/merge.sbatch")
merge=${merge%%;*}
say "submitted array $array ($shards tasks, $reps replications per point) and merge job $merge"

# Requeue task 1 in the middle of its run: once its shard file holds a
# complete point (the rows of a point are appended when it finishes), and
# while it still runs (3 points per shard).
shard1=$work/out/$sweep_name/sweep.shard-1-of-$shards.csv
points_in() { [[ -f $1 ]] && tail -n +2 "$1" | cut -d, -f1 | sort -u | wc -l || echo 0; }
task1_mid_run_or_ended() {
    local s
    s=$(job_field "${array}_1" JobState)
    [[ $s =~ ^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY)$ ]] ||
        { [[ $s == RUNNING ]] && (($(points_in "$shard1") >= 1)); }
}
wait_for 240 task1_mid_run_or_ended || fail "task ${array}_1 never ran with a complete point in $shard1"
state=$(job_field "${array}_1" JobState)
[[ $state == RUNNING ]] || fail "task ${array}_1 ended ($state) before it could be requeued" \
    "in the middle of its run (if it COMPLETED, raise CCSIM_SLURM_REPLICATIONS)"
before=$(points_in "$shard1")
scontrol requeue "${array}_1" || fail "scontrol requeue ${array}_1 failed"
say "requeued task ${array}_1 with $before of 3 points in its shard file"

# Wait for every task and the merge job.
array_done() {
    local s
    s=$(array_states "$array")
    [[ -n $s ]] && ! grep -qvE '^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)$' <<<"$s"
}
wait_for 400 array_done || fail "the array did not finish in time"
if grep -qv '^COMPLETED$' <<<"$(array_states "$array")"; then
    fail "not every array task completed: $(array_states "$array" | sort | uniq -c | tr '\n' ' ')"
fi
merge_done() { [[ $(job_field "$merge" JobState) =~ ^(COMPLETED|FAILED|CANCELLED|TIMEOUT)$ ]]; }
wait_for 120 merge_done || fail "the merge job did not finish in time"
[[ $(job_field "$merge" JobState) == COMPLETED ]] ||
    fail "merge job $merge: $(job_field "$merge" JobState), exit $(job_field "$merge" ExitCode)"
say "array and merge completed"

# The requeued task ran twice and its second run resumed.
log1=$work/sweep-${array}_1.out
[[ $(job_field "${array}_1" Restarts) -ge 1 ]] || fail "task ${array}_1 was not restarted"
grep -qE "^resumed .*sweep\.shard-1-of-$shards\.csv: skipped [12] complete point\(s\)" "$log1" ||
    fail "task ${array}_1 did not resume from its complete points (see $log1)"
grep -E '^(task|resumed|ran) ' "$log1" | sed 's/^/    /'

# ------------------------------------------------------- the retry policy
# Bad input (exit 2) fails at once, no retry. Anything else is requeued
# MAX_RETRIES times, and only that task: here shard 2 of 2 fails with exit 1
# (its results file is a folder, which it cannot read) while shard 1 succeeds
# and must not run again.
printf 'scenario = "%s"\n[grid]\n"agents.nobody.count" = [1, 2]\n' \
    "$root/scenarios/sweeps/erlang-base.toml" >"$work/bad/bad.toml"
bad=$(SWEEP=$work/bad/bad.toml OUT=$work/bad sbatch --parsable --array=1-2 \
    --output="$work/bad-%A_%a.out" "$here/sweep.sbatch")
bad=${bad%%;*}
mkdir -p "$work/flaky/$sweep_name/sweep.shard-2-of-2.csv"
flaky=$(OUT=$work/flaky MAX_RETRIES=1 CCSIM_ARGS="--replications 20" sbatch --parsable \
    --array=1-2 --output="$work/flaky-%A_%a.out" "$here/sweep.sbatch")
flaky=${flaky%%;*}
# And one shard run again alone (SHARDS=N, task ID = shard number): it
# finds its shard file complete and runs nothing.
again=$(SHARDS=$shards sbatch --parsable --array=3 --output="$work/again-%A_%a.out" "$here/sweep.sbatch")
again=${again%%;*}
ended() { [[ $(job_field "$1" JobState) =~ ^(COMPLETED|FAILED|CANCELLED|TIMEOUT)$ ]]; }
all_ended() {
    ended "${bad}_1" && ended "${bad}_2" && ended "${flaky}_1" && ended "${flaky}_2" &&
        ended "${again}_3"
}
wait_for 180 all_ended || fail "the retry-policy tasks did not finish in time"
expect_task() { # task state exit-code restarts log-text log
    local got
    got="$(job_field "$1" JobState) $(job_field "$1" ExitCode) $(job_field "$1" Restarts)"
    [[ $got == "$2 $3 $4" ]] || fail "task $1: $got; expected $2 $3 $4"
    grep -q "$5" "$6" || fail "task $1: no '$5' in its log $6"
}
expect_task "${bad}_1" FAILED 2:0 0 'bad input, not retrying' "$work/bad-${bad}_1.out"
expect_task "${bad}_2" FAILED 2:0 0 'bad input, not retrying' "$work/bad-${bad}_2.out"
expect_task "${flaky}_1" COMPLETED 0:0 0 '^ran 6 point' "$work/flaky-${flaky}_1.out"
expect_task "${flaky}_2" FAILED 1:0 1 'no retries left' "$work/flaky-${flaky}_2.out"
grep -q 'requeueing (retry 1 of 1)' "$work/flaky-${flaky}_2.out" ||
    fail "task ${flaky}_2 was not requeued by its script"
expect_task "${again}_3" COMPLETED 0:0 0 "^ran 0 point(s), skipped 3" "$work/again-${again}_3.out"
grep -q "shard 3/$shards" "$work/again-${again}_3.out" || fail "task ${again}_3 did not run shard 3/$shards"
say "retry policy: exit 2 failed at once; exit 1 requeued that task once, then failed; shard 3 rerun alone: nothing to do"

# ------------------------------------------------------------- unsharded
say "running the same sweep unsharded"
left=$((deadline - SECONDS))
((left > 0)) || fail "out of time before the unsharded run"
timeout "$left" "$CCSIM" sweep "$sweep" --out "$work/unsharded" --replications "$reps" \
    >"$work/log/unsharded.log" 2>&1 || fail "the unsharded sweep failed (see $work/log/unsharded.log)"
merged=$work/out/$sweep_name/sweep.csv
whole=$work/unsharded/$sweep_name/sweep.csv
[[ -s $merged ]] || fail "no merged $merged"
cmp "$merged" "$whole" || fail "merged shards differ from the unsharded run"
say "merged shards == unsharded run: $(wc -l <"$whole") lines, $(wc -c <"$whole") bytes, byte for byte"
echo "slurm-check: 1 passed, 0 failed"
