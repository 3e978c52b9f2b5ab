#!/bin/sh
# Runs inside the VM (cgroup v2 only, every controller enabled at the root), from /files.
# Imitates a systemd host: the tests run in a leaf of a delegated service, and each bunbox starts
# in a transient scope of its own below .../scopes (systemd-run --scope -p Delegate=yes).
set -e
cg=/sys/fs/cgroup
svc=$cg/system.slice/bunbox-ci.service
mkdir -p "$svc/runner" "$svc/scopes"
for d in "$cg/system.slice" "$svc" "$svc/scopes"; do
  for c in cpuset cpu io memory pids; do echo "+$c" > "$d/cgroup.subtree_control"; done
done
echo $$ > "$svc/runner/cgroup.procs"
echo "vm: kernel $(uname -r), $(nproc) CPUs; cgroup $(cat /proc/self/cgroup); controllers: $(cat $cg/cgroup.controllers)" >&2
export BUNBOX_E2E_SCOPE="$svc/scopes" HOME=/root TMPDIR=/tmp
# dist/bunbox is a Bun executable: with BUN_BE_BUN=1 it is `bun` itself (no second 100 MB binary)
BUN_BE_BUN=1 ./dist/bunbox test --timeout 120000 "$@"
