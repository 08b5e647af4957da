#!/usr/bin/env bash
# Stop the daemons started by tests/slurm/start_cluster.sh, by the PIDs it recorded.
set -uo pipefail

STATE_DIR="${SYNSOC_SLURM_DIR:-/tmp/synsoc-slurm}"
pidfile="$STATE_DIR/pids"
if [ ! -f "$pidfile" ]; then
    echo "[stop_cluster] no $pidfile: nothing to stop" >&2
    exit 0
fi
# Reverse start order: slurmd, slurmctld, then munged.
tac "$pidfile" | while read -r name pid; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        echo "[stop_cluster] stopped $name ($pid)" >&2
    fi
done
rm -f "$pidfile"
