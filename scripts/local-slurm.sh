#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the Slurm executor's tests
# and for trying `ablate sweep --executor slurm` without a cluster.
#   scripts/local-slurm.sh start [DIR]   start munged, slurmctld, slurmd; print the
#                                        SLURM_CONF to export
#   scripts/local-slurm.sh stop [DIR]    stop the daemons this script started (by pid)
# DIR (default $ABLATE_SLURM_DIR or /tmp/ablate-slurm) holds the config, key,
# state and pid files; daemon logs go under /run/ablate-slurm-<hash of DIR>
# (munged refuses log files in directories it considers insecure, such as /tmp).
# Needs root (slurmd runs jobs as their users) and the Debian packages
# slurmctld slurmd slurm-client munge. No systemd: the daemons are started
# directly, and only the processes started here are ever stopped. When the
# host name does not resolve, a 127.0.0.1 line for it is added to /etc/hosts.
set -euo pipefail

command=${1:-}
dir=${2:-${ABLATE_SLURM_DIR:-/tmp/ablate-slurm}}
dir=$(realpath -m "$dir")
logs=/run/ablate-slurm-$(echo -n "$dir" | md5sum | cut -c1-8)
conf=$dir/slurm.conf

stop() {
  for daemon in slurmd slurmctld munged; do
    pidfile=$dir/$daemon.pid
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
}

start() {
  for tool in munged slurmctld slurmd sbatch; do
    command -v "$tool" >/dev/null || {
      echo "local-slurm: $tool not found; install: apt-get install slurmctld slurmd slurm-client munge" >&2
      exit 1
    }
  done
  [ "$(id -u)" -eq 0 ] || { echo "local-slurm: needs root (slurmd)" >&2; exit 1; }
  stop  # a previous cluster of this DIR, if any
  mkdir -p "$dir/state" "$dir/spool" "$logs"
  chmod 700 "$dir" "$logs"
  if [ ! -f "$dir/munge.key" ]; then
    dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none
  fi
  chmod 400 "$dir/munge.key"
  munged --force --key-file="$dir/munge.key" --socket="$dir/munge.socket" \
    --pid-file="$dir/munged.pid" --seed-file="$dir/munged.seed" --log-file="$logs/munged.log"

  local host cpus mem
  host=$(hostname -s)
  # Slurm's daemons look their own host name up and hang when it does not
  # resolve (fresh containers and chroots often have no /etc/hosts entry).
  if ! getent hosts "$host" >/dev/null; then
    echo "127.0.0.1 $host  # added by ablate scripts/local-slurm.sh" >> /etc/hosts
    echo "local-slurm: $host did not resolve; added it to /etc/hosts as 127.0.0.1" >&2
  fi
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
  cat > "$conf" <<CONF
# Written by scripts/local-slurm.sh: a single-node cluster for tests.
ClusterName=ablate-local
# Addresses given, so that nothing needs the host name to resolve (fresh
# containers often have no /etc/hosts entry for it).
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$logs/slurmctld.log
SlurmdLogFile=$logs/slurmd.log
SlurmctldPort=${ABLATE_SLURMCTLD_PORT:-6817}
SlurmdPort=${ABLATE_SLURMD_PORT:-6818}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
# Final job states stay readable (scontrol) for an hour; no slurmdbd here, so
# accounting is off and finished jobs are also kept in a jobcomp file.
MinJobAge=3600
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
SchedulerParameters=defer_batch
# Jobs that ask for no memory get 1 GiB a CPU, not the whole node.
DefMemPerCPU=1024
NodeName=$host NodeAddr=127.0.0.1 NodeHostname=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$conf
  slurmctld -f "$conf" -c
  slurmd -f "$conf"
  for _ in $(seq 60); do
    if timeout 2 sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "export SLURM_CONF=$conf"
      return 0
    fi
    sleep 0.2
  done
  echo "local-slurm: the node did not come up; logs in $logs" >&2
  timeout 5 sinfo >&2 || true
  tail -n 20 "$logs"/*.log >&2 || true
  exit 1
}

case "$command" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: scripts/local-slurm.sh start|stop [DIR]" >&2; exit 2 ;;
esac
