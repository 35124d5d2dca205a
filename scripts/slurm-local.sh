#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the Slurm executor's tests (test/sweeps) and
# for trying `gmvae sweep run --executor slurm` without a cluster. Idempotent: installs
# Debian's slurm-wlm and munge when root and they are missing, writes a minimal slurm.conf
# (one node with this machine's CPUs, partition 'debug'), starts munged, slurmctld and slurmd
# when they are not running, and waits until the node accepts jobs.
#
#   scripts/slurm-local.sh          install (if needed), configure, start; exit 0 once ready
#   scripts/slurm-local.sh --check  exit 0 when the cluster answers, 1 otherwise (no changes)
#
# Daemons run as root (SlurmUser=SlurmdUser=root), with proctrack/linuxproc and task/none, so
# no cgroups or systemd are needed: a container or CI machine is enough. Not for production.
set -euo pipefail

say() { printf 'slurm-local: %s\n' "$*" >&2; }
fail() {
  say "$*"
  exit 1
}

CONF_DIR=/etc/slurm
CONF="$CONF_DIR/slurm.conf"
PARTITION=debug

answers() {
  command -v sinfo >/dev/null && timeout 10 sinfo -h -p "$PARTITION" -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'
}

# Whether the daemon whose pid file is /run/NAME.pid is alive.
running() {
  local pid
  pid=$(cat "/run/$1.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ]
}

if [ "${1:-}" = --check ]; then
  answers && exit 0
  exit 1
fi

if answers; then
  say "cluster already running (partition $PARTITION)"
  exit 0
fi

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  [ "$(id -u)" = 0 ] || fail "slurm-wlm and munge are not installed and this is not root: as root, apt-get install -y slurm-wlm munge"
  command -v apt-get >/dev/null || fail 'slurm-wlm and munge are missing and there is no apt-get here'
  say 'installing slurm-wlm and munge'
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
[ "$(id -u)" = 0 ] || fail 'starting the daemons needs root'

# munge: the key (the package usually creates one), its folders, the daemon.
if [ ! -s /etc/munge/munge.key ]; then
  say 'creating a munge key'
  if command -v mungekey >/dev/null; then mungekey --create --force; else dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; fi
fi
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
chmod 0700 /etc/munge
chmod 0400 /etc/munge/munge.key
chmod 0755 /run/munge
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  say 'starting munged'
  rm -f /run/munge/munged.pid
  if id munge >/dev/null 2>&1; then runuser -u munge -- /usr/sbin/munged; else /usr/sbin/munged --force; fi
  for _ in $(seq 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.2; done
  munge -n </dev/null | unmunge >/dev/null || fail 'munged does not answer (see /var/log/munge/munged.log)'
fi

# slurm.conf: the node as slurmd itself sees it (`slurmd -C`), so it is never drained for a
# CPU or memory count that differs from the hardware's.
host=$(hostname -s)
node_line=$(slurmd -C | grep '^NodeName=' | sed -e 's/ UpTime=.*//')
[ -n "$node_line" ] || fail 'slurmd -C printed no NodeName line'
mkdir -p "$CONF_DIR" /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
conf=$(
  cat <<EOF
# Written by scripts/slurm-local.sh: a one-node test cluster (not for production).
ClusterName=gmvae-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
# Finished jobs stay visible to squeue this long (the sweep status reads them).
MinJobAge=600
# scancel and time limits send SIGTERM, then SIGKILL this many seconds later.
KillWait=15
$node_line
PartitionName=$PARTITION Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
)
if [ ! -f "$CONF" ] || [ "$(cat "$CONF")" != "$conf" ]; then
  say "writing $CONF"
  printf '%s\n' "$conf" >"$CONF"
  # A daemon started with an older file would not see the change: stop the ones this script
  # started (by the pids in their pid files).
  for daemon in slurmd slurmctld; do
    if running "$daemon"; then
      kill "$(cat "/run/$daemon.pid")"
      for _ in $(seq 50); do running "$daemon" || break; sleep 0.2; done
    fi
  done
fi

for daemon in slurmctld slurmd; do
  if ! running "$daemon"; then
    say "starting $daemon"
    "$daemon"
  fi
done

for _ in $(seq 60); do
  if answers; then
    say "ready: partition $PARTITION on $host"
    exit 0
  fi
  # A node that was down in a previous life comes back with ReturnToService=2; nudge it anyway.
  scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true
  sleep 1
done
say 'the node did not become ready; the last lines of the logs:'
tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
sinfo >&2 || true
exit 1
