#!/usr/bin/env bash
# Start a single-node SLURM cluster on this machine (Debian, run as root) for the
# workflow's SLURM test. No systemd: munged, slurmctld and slurmd run in the
# background and their PIDs go to $SYNSOC_SLURM_DIR/pids (read by stop_cluster.sh).
#
# Usage: tests/slurm/start_cluster.sh          (idempotent: exits 0 if the node is up)
# Env:   SYNSOC_SLURM_DIR  state directory (default /tmp/synsoc-slurm)
#        SYNSOC_SLURM_WAIT seconds to wait for the node to become idle (default 120)
set -euo pipefail

STATE_DIR="${SYNSOC_SLURM_DIR:-/tmp/synsoc-slurm}"
WAIT_S="${SYNSOC_SLURM_WAIT:-120}"
start_s=$(date +%s)

log() { echo "[start_cluster $(($(date +%s) - start_s))s] $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    log "must run as root (installs packages and starts daemons)"
    exit 1
fi

if command -v sinfo >/dev/null 2>&1 && timeout 3 sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    log "a SLURM node is already up: nothing to do"
    exit 0
fi

# ---- install ---------------------------------------------------------------------
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 \
    || ! command -v sbatch >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
    log "installing slurmctld slurmd slurm-client munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # policy-rc.d 101: the packages' postinst scripts must not try to start services.
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
    rm -f /usr/sbin/policy-rc.d
fi
log "packages present"

# ---- configuration ---------------------------------------------------------------
node="$(hostname -s)"
mem_mb=$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)
mkdir -p "$STATE_DIR"/{ctld,d,log} /etc/slurm /run/munge /var/log/munge /var/lib/munge /etc/munge
conf=/etc/slurm/slurm.conf
cat >"$conf" <<CONF
# Written by tests/slurm/start_cluster.sh: single-node test cluster, no accounting DB.
ClusterName=synsoc-ci
SlurmctldHost=${node}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
# No slurmdbd, so sacct cannot answer: the profile polls squeue, which only sees
# jobs for MinJobAge seconds after they end (>= 3 x slurm-init-seconds-before-status-checks).
# An hour, so the test can still check every job's final state after a long DAG.
MinJobAge=3600
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
StateSaveLocation=${STATE_DIR}/ctld
SlurmdSpoolDir=${STATE_DIR}/d
SlurmctldPidFile=${STATE_DIR}/slurmctld.pid
SlurmdPidFile=${STATE_DIR}/slurmd.pid
SlurmctldLogFile=${STATE_DIR}/log/slurmctld.log
SlurmdLogFile=${STATE_DIR}/log/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=${node} NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=${mem_mb} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
log "wrote $conf (node ${node}, $(nproc) CPUs, ${mem_mb} MB)"

# ---- daemons ---------------------------------------------------------------------
if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
chmod 0400 /etc/munge/munge.key
chmod 0700 /etc/munge
pidfile="$STATE_DIR/pids"
: >"$pidfile"

# munged forks and writes its own PID file; a munged already running is left alone.
if ! munge -n </dev/null >/dev/null 2>&1; then
    if id munge >/dev/null 2>&1; then
        runuser -u munge -- munged --force
    else
        munged --force
    fi
    for _ in $(seq 50); do
        munge -n </dev/null >/dev/null 2>&1 && break
        sleep 0.2
    done
    echo "munged $(cat /run/munge/munged.pid)" >>"$pidfile"
fi
munge -n </dev/null | unmunge >/dev/null
log "munged up"

slurmctld -i -f "$conf"
slurmd -f "$conf"
for daemon in slurmctld slurmd; do
    for _ in $(seq 50); do
        [ -s "$STATE_DIR/$daemon.pid" ] && break
        sleep 0.2
    done
    echo "$daemon $(cat "$STATE_DIR/$daemon.pid")" >>"$pidfile"
done
log "slurmctld and slurmd started"

deadline=$(($(date +%s) + WAIT_S))
until sinfo -h -o '%T' 2>/dev/null | grep -qE '^idle'; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
        log "node did not become idle within ${WAIT_S}s"
        sinfo -N -l >&2 || true
        tail -n 20 "$STATE_DIR/log/slurmctld.log" "$STATE_DIR/log/slurmd.log" >&2 || true
        exit 1
    fi
    scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true
    sleep 1
done
sinfo >&2
log "cluster ready"
