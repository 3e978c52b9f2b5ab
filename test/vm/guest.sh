#!/bin/sh
# Runs inside a VM from /files (scripts/vm-test.ts stages it): each test file in a `bun test` of its
# own (dist/bunbox is bun itself with BUN_BE_BUN=1), timed, then one line "vm MODE: N passed, N failed".
# bunbox runs as a user types it: nothing wraps it, no scope or delegation of ours.
#   guest.sh MODE TESTFILE...
# Under systemd the caller is where a user would be (the login shell's session scope, or a
# service). In the bare VM (PID 1 a shell script) this script first puts itself where a login puts a
# user on a systemd host without systemd's help: a non-root cgroup holding more than bunbox (this
# shell and a process beside it), the case bunbox's cgroupfs fallback must handle.
mode=$1; shift
up() { cut -d' ' -f1 /proc/uptime; }
boot=$(up)
cg=/sys/fs/cgroup
if [ "$(cat /proc/1/comm)" != systemd ]; then
  # as systemd sets it up: controllers enabled down to user.slice, none inside the session
  mkdir -p "$cg/user.slice/session-1.scope"
  for c in cpu io memory pids; do echo "+$c" > "$cg/user.slice/cgroup.subtree_control"; done
  echo $$ > "$cg/user.slice/session-1.scope/cgroup.procs"
  # the session's other process (the sshd child, the user's shell); off the console's pipes, which
  # stay open while it lives
  sleep 1000000 </dev/null >/dev/null 2>&1 &
  other=$!
fi
aa=$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null || echo absent)
echo "vm $mode: up ${boot} s when the tests start; kernel $(uname -r), $(nproc) CPUs, PID 1 $(cat /proc/1/comm)," \
  "cgroup $(cut -d: -f3 /proc/self/cgroup) (controllers $(cat $cg/cgroup.controllers)), AppArmor $aa" >&2
export HOME=/root TMPDIR=/tmp
# qemu's TCG runs bunbox some 3-10x slower than a host: the tests' timeouts, polling and the
# windows they leave a container running stretch by this much (test/e2e/harness.ts), bun test's
# own per-test timeout too (4 still let a 'sleep 2' --rm container end before 'wait' started)
export BUNBOX_E2E_SLOW=${BUNBOX_E2E_SLOW:-8}

passed=0 failed=0 table=""
for t in "$@"; do
  t0=$(up)
  # (no pipefail in dash: the status travels through a file)
  { BUN_BE_BUN=1 ./dist/bunbox test --timeout $((120000 * BUNBOX_E2E_SLOW)) "$t"; echo $? > /tmp/suite.rc; } 2>&1 | tee /tmp/suite.log
  rc=$(cat /tmp/suite.rc)
  p=$(grep -E '^ *[0-9]+ pass$' /tmp/suite.log | tail -n 1 | tr -dc 0-9)
  f=$(grep -E '^ *[0-9]+ fail$' /tmp/suite.log | tail -n 1 | tr -dc 0-9)
  p=${p:-0} f=${f:-0}
  # a suite that died before its summary (crash, load error) is a failure, never a silent pass
  [ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
  passed=$((passed + p)) failed=$((failed + f))
  table="$table$(printf '  %-32s %4s pass %4s fail %7s s' "$t" "$p" "$f" "$(awk -v a="$t0" -v b="$(up)" 'BEGIN{printf "%.1f", b-a}')")
"
done
# (a test killed with 137 may be the VM's OOM killer, not bunbox: say so)
ooms=$(dmesg 2>/dev/null | grep -c 'Out of memory: Killed process')
echo "vm $mode: boot ${boot} s; the kernel's OOM killer struck ${ooms:-?} times (limits in containers included); suites:"
printf '%s' "$table"
echo "vm $mode: $passed passed, $failed failed"
[ -z "${other:-}" ] || kill "$other"
[ "$failed" = 0 ]
