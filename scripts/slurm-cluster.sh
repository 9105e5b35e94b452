#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the Slurm launcher tests (Debian's slurm-wlm 22.05 + munge).
#
#   scripts/slurm-cluster.sh start [DIR]  install slurm-wlm and munge if missing; write DIR/slurm.conf (default DIR
#                                         /tmp/jmirai-slurm); start munged, slurmctld -c (old job state dropped) and
#                                         slurmd; wait (bounded) until the node is idle. Prints the line to eval:
#                                           export JMIRAI_SLURM_CONF=DIR/slurm.conf
#   scripts/slurm-cluster.sh stop [DIR]   cancel every job, stop the three daemons, delete DIR
#
# Clients find the cluster only through SLURM_CONF=DIR/slurm.conf (there is no /etc/slurm/slurm.conf). The ports
# 6817/6818 are Slurm's defaults, so there is one such cluster per machine. Logs go to stderr and DIR/*.log.
set -euo pipefail

log() { echo "slurm-cluster.sh: $*" >&2; }

install_if_missing() {
    if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v srun >/dev/null &&
        command -v munged >/dev/null; then
        return
    fi
    log "installing slurm-wlm and munge"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >&2
}

kill_pidfile() { # $1 = pid file, $2 = signal; waits at most 15 s
    [ -f "$1" ] || return 0
    local pid
    pid=$(cat "$1" 2>/dev/null || true)
    [ -n "$pid" ] || return 0
    kill "-$2" "$pid" 2>/dev/null || return 0
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    log "pid $pid ($1) still alive after 15 s; killing it"
    kill -9 "$pid" 2>/dev/null || true
}

write_config() {
    local node host mem
    host=$(hostname -s)
    # The node line as slurmd sees the hardware, with 1 GiB of memory left to the system.
    node=$(slurmd -C | head -1)
    mem=$(($(free -m | awk '/^Mem:/ {print $2}') - 1024))
    node=$(echo "$node" | sed -E "s/RealMemory=[0-9]+/RealMemory=$mem/")
    cat >"$D/slurm.conf" <<CONF
ClusterName=jmirai
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
# proctrack/cgroup (the default) fails here and drains the node: track processes by parent pid instead.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# cons_tres + CR_Core: two 1-CPU jobs run at once (select/linear gives each job the whole node).
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SwitchType=switch/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
$node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
    install_if_missing
    stop_daemons
    rm -rf "$D"
    mkdir -p "$D/state" "$D/spool"
    chmod 755 "$D"
    write_config
    export SLURM_CONF="$D/slurm.conf"
    if [ ! -s /etc/munge/munge.key ]; then
        log "no munge key: creating one"
        mungekey -c -f -k /etc/munge/munge.key
        chown munge:munge /etc/munge/munge.key
        chmod 400 /etc/munge/munge.key
    fi
    install -d -o munge -g munge -m 0755 /run/munge
    if ! { [ -f /run/munge/munged.pid ] && kill -0 "$(cat /run/munge/munged.pid)" 2>/dev/null; }; then
        runuser -u munge -- /usr/sbin/munged
        touch "$D/munged.ours"
    fi
    slurmctld -c -f "$SLURM_CONF" # -c: discard job state a crashed run may have left
    slurmd -f "$SLURM_CONF"
    local state=""
    for _ in $(seq 300); do # 30 s
        state=$(sinfo -h -N -o %T 2>/dev/null || true)
        [ "$state" = idle ] && break
        case "$state" in
        drain* | drained* | down*)
            log "node is $state: resuming it"
            scontrol update nodename="$(hostname -s)" state=resume 2>/dev/null || true
            ;;
        esac
        sleep 0.1
    done
    if [ "$state" != idle ]; then
        log "node not idle after 30 s: state=${state:-none}"
        sinfo -N -o '%N %T %E' >&2 || true
        tail -20 "$D/slurmctld.log" "$D/slurmd.log" >&2 || true
        exit 1
    fi
    log "node $(hostname -s) idle; SLURM_CONF=$SLURM_CONF"
    echo "export JMIRAI_SLURM_CONF=$SLURM_CONF"
}

stop_daemons() {
    if [ -f "$D/slurm.conf" ] && [ -f "$D/slurmctld.pid" ] && kill -0 "$(cat "$D/slurmctld.pid")" 2>/dev/null; then
        SLURM_CONF="$D/slurm.conf" scancel --full --quiet --user=root 2>/dev/null || true
    fi
    # TERM takes about 5 s per daemon: signal both, then wait.
    kill_pidfile "$D/slurmd.pid" TERM &
    kill_pidfile "$D/slurmctld.pid" TERM &
    wait
    # munged is stopped only if this script started it.
    if [ -f "$D/munged.ours" ]; then
        kill_pidfile /run/munge/munged.pid TERM
    fi
}

stop() {
    stop_daemons
    rm -rf "$D"
}

D=${2:-${JMIRAI_SLURM_DIR:-/tmp/jmirai-slurm}}
case "${1:-}" in
start) start ;;
stop) stop ;;
*)
    echo "usage: $0 start|stop [DIR]" >&2
    exit 64
    ;;
esac
