#!/bin/bash
# systemd-vm.sh [--files DIR] [--service] [--] COMMAND...
#
# Boots the machine bunbox's users have: Debian 12 with systemd as PID 1, cgroup v2 unified and
# AppArmor on (what an Ubuntu VM is). root logs in on the serial console through getty autologin;
# pam_systemd puts that shell in user.slice/user-0.slice/session-N.scope, exactly where an ssh
# login lands, and COMMAND runs from it. With --service, COMMAND runs from a systemd service
# (system.slice/vmrun.service) instead. Nothing wraps COMMAND: no scope, no delegation of ours.
# DIR's contents are at /files (the working directory). COMMAND's stdout/stderr stream back
# separately; exits with its status (124 timeout, 125 the VM failed before reporting one: then the
# console's last lines are printed).
#
# Built from Debian packages by name (debootstrap minbase; the kernel and busybox that
# scripts/vm/vm-run.sh fetches) and cached in $VM_CACHE; every boot starts from a clean snapshot.
# Env: VM_CACHE (/var/tmp/bunbox-vm-cache), VM_MEM (3G), VM_CPUS (nproc, max 4),
#      VM_TIMEOUT (900), VM_DEBUG=1 (console on stderr afterwards)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_CACHE=${VM_CACHE:-/var/tmp/bunbox-vm-cache}
VM_MEM=${VM_MEM:-3G}
_n=$(nproc); VM_CPUS=${VM_CPUS:-$(( _n > 4 ? 4 : _n ))}
VM_TIMEOUT=${VM_TIMEOUT:-900}
VM_DEBUG=${VM_DEBUG:-0}
RECIPE=1   # bump when the image recipe below changes: the cached image is then rebuilt

# Beyond minbase: systemd as PID 1 with udev (without it the serial getty waits forever for its
# device), dbus and libpam-systemd (logind sessions: the session scope), apparmor (Ubuntu's LSM),
# kmod/procps/util-linux (modprobe, ps, su/script); python3-minimal and tmux are what the lifecycle
# tests drive besides bunbox (an Ubuntu server has both).
PACKAGES=systemd,systemd-sysv,udev,dbus,libpam-systemd,apparmor,kmod,procps,util-linux,python3-minimal,tmux

FILES_DIR="" MODE=login
while [ $# -gt 0 ]; do
  case "$1" in
    --files) FILES_DIR=$2; shift 2 ;;
    --service) MODE=service; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--files DIR] [--service] -- COMMAND..." >&2; exit 2; }
die() { echo "systemd-vm: $*" >&2; exit 125; }
[ "$(id -u)" = 0 ] || die "run as root (debootstrap, mkfs)"
[ -z "$FILES_DIR" ] || [ -d "$FILES_DIR" ] || die "--files $FILES_DIR: not a directory"

for t in qemu-system-x86_64:qemu-system-x86 debootstrap:debootstrap mkfs.ext4:e2fsprogs xz:xz-utils; do
  command -v "${t%%:*}" >/dev/null && continue
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${t#*:}" >&2 \
    || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${t#*:}" >&2; } \
    || die "cannot install ${t#*:}"
done

# The kernel (vmlinux + its modules) and busybox come from vm-run.sh's cache: boot it once if needed.
mkdir -p "$VM_CACHE"
[ -s "$VM_CACHE/vmlinux" ] && [ -s "$VM_CACHE/kernel_pkg" ] || VM_CACHE=$VM_CACHE "$HERE/vm-run.sh" -- true >/dev/null \
  || die "vm-run.sh could not prepare the kernel in $VM_CACHE"
KPKG=$(cat "$VM_CACHE/kernel_pkg"); KX=$VM_CACHE/x/$KPKG; KVER=$(ls "$KX/lib/modules")
BB=$VM_CACHE/x/busybox-static/bin/busybox
[ -x "$BB" ] && [ -s "$VM_CACHE/vmlinux" ] || die "no kernel or busybox in $VM_CACHE"

mirror() { # the first Debian URI of this machine's apt sources (deb822 or one-line)
  { awk 'tolower($1)=="uris:"{print $2}' /etc/apt/sources.list.d/*.sources 2>/dev/null
    grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'; } | head -1 || true   # (grep fails on a missing *.list)
}

ROOT_IMG=$VM_CACHE/systemd-root-$RECIPE-$KPKG.img
INITRD=$VM_CACHE/systemd-initrd-$RECIPE-$KPKG.cpio.gz

# image SIZE DIR [mkfs args]: an ext4 image holding DIR (no loop mount; made sparse first, so
# mkfs has nothing to announce)
mkext4() { rm -f "$1" && truncate -s "$2" "$1" && mkfs.ext4 -q -F "${@:4}" -d "$3" "$1" >&2; }

build_root() {
  [ -s "$ROOT_IMG" ] && return
  local r=$VM_CACHE/systemd-root.tmp m t0=$SECONDS; m=$(mirror); [ -n "$m" ] || die "no apt mirror in this machine's sources"
  echo "systemd-vm: building the bookworm root image from $m (one time)" >&2
  rm -rf "$r"
  debootstrap --variant=minbase --include="$PACKAGES" bookworm "$r" "$m" > "$VM_CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$VM_CACHE/debootstrap.log" >&2; die "debootstrap failed (log: $VM_CACHE/debootstrap.log)"; }
  mkdir -p "$r/lib/modules" && cp -a "$KX/lib/modules/$KVER" "$r/lib/modules/"
  chroot "$r" depmod "$KVER" 2>/dev/null || true
  echo vm > "$r/etc/hostname"; printf '127.0.0.1 localhost vm\n::1 localhost\n' > "$r/etc/hosts"
  sed -i 's/^root:[^:]*:/root::/' "$r/etc/shadow"   # passwordless root: the console autologin
  mkdir -p "$r/etc/systemd/system/serial-getty@ttyS0.service.d" "$r/files" "$r/vmrun"
  cat > "$r/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --noclear --keep-baud 115200 %I $TERM
EOF
  # --service: the command as a plain service (oneshot: systemctl start waits, no start timeout)
  cat > "$r/etc/systemd/system/vmrun.service" <<'EOF'
[Unit]
Description=systemd-vm.sh command as a service
[Service]
Type=oneshot
WorkingDirectory=/files
ExecStart=/bin/sh -c '/bin/sh /vmrun/cmd.sh > /dev/ttyS1 2> /dev/ttyS2 < /dev/null; echo $? > /run/vmrun.rc'
EOF
  # The autologin shell runs the command once (or starts the service), then powers the VM off.
  cat > "$r/root/.profile" <<'EOF'
if [ -e /vmrun/cmd.sh ] && [ "$(tty)" = /dev/ttyS0 ] && [ ! -e /run/vmrun.started ]; then
  touch /run/vmrun.started
  for s in /dev/ttyS1 /dev/ttyS2; do stty -F $s raw -echo 2>/dev/null; done
  echo "@@VMRUN-START $(cut -d' ' -f1 /proc/uptime) $(cat /proc/self/cgroup)"
  if [ -e /vmrun/service ]; then
    systemctl start vmrun.service; rc=$(cat /run/vmrun.rc 2>/dev/null || echo 125)
  else
    ( cd /files && exec /bin/sh /vmrun/cmd.sh ) > /dev/ttyS1 2> /dev/ttyS2 < /dev/null; rc=$?
  fi
  echo "@@VMRUN-EXIT $rc $(cut -d' ' -f1 /proc/uptime)"
  sync; systemctl poweroff -f -f
fi
EOF
  # A quieter, faster boot: nothing periodic, no second getty, no network time.
  for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer systemd-timesyncd.service getty@tty1.service; do
    chroot "$r" systemctl mask "$u" >/dev/null 2>&1 || true
  done
  printf '/dev/vdb /files ext4 defaults,nofail 0 0\n/dev/vdc /vmrun ext4 defaults,nofail 0 0\n' > "$r/etc/fstab"
  rm -rf "$r/var/cache/apt/archives"/*.deb "$r/var/lib/apt/lists"/*_Packages
  local size; size=$(du -sm "$r" | cut -f1)
  # room for the tests' scratch files (sparse: costs nothing until written; writes go to the snapshot)
  mkext4 "$ROOT_IMG.tmp" "$((size + 3072))M" "$r" -L root || die "mkfs.ext4 -d failed"
  mv "$ROOT_IMG.tmp" "$ROOT_IMG"; rm -rf "$r"
  echo "systemd-vm: root image built in $((SECONDS - t0)) s" >&2
}

build_initrd() { # busybox + the virtio/ext4 modules (in dependency order): mount /dev/vda, switch_root to systemd
  [ -s "$INITRD" ] && return
  local r=$VM_CACHE/systemd-initrd.tmp md=$KX/lib/modules/$KVER m a
  rm -rf "$r"; mkdir -p "$r"/{bin,dev,proc,sys,newroot,lib/modules}
  cp "$BB" "$r/bin/busybox"; for a in $("$BB" --list); do [ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"; done
  ln -s bin "$r/sbin"
  for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk crc16 crc32c_generic mbcache jbd2 ext4; do
    a=$(find "$md/kernel" -name "$m.ko" | head -1); [ -n "$a" ] && cp "$a" "$r/lib/modules/" && echo "$m" >> "$r/lib/modules/order"
  done
  cat > "$r/init" <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
while read -r m; do insmod /lib/modules/$m.ko || echo "initrd: insmod $m failed"; done < /lib/modules/order
for i in $(seq 50); do [ -b /dev/vda ] && break; sleep 0.1; done
mount -t ext4 -o rw /dev/vda /newroot || { echo "initrd: cannot mount /dev/vda"; poweroff -f; }
umount /proc /sys; mount --move /dev /newroot/dev 2>/dev/null || umount /dev
exec switch_root /newroot /lib/systemd/systemd
EOF
  chmod 755 "$r/init"
  ( cd "$r" && find . | "$BB" cpio -o -H newc 2>/dev/null ) | gzip -1 > "$INITRD.tmp" && mv "$INITRD.tmp" "$INITRD"; rm -rf "$r"
}

exec 9>"$VM_CACHE/.lock-systemd"; flock 9   # one build at a time; boots share the result read-only
build_root; build_initrd
flock -u 9

work=$(mktemp -d /var/tmp/systemd-vm.XXXXXX)
QPID=""
trap '[ -n "$QPID" ] && kill "$QPID" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/vmrun"
squote() { local q=${1//\'/\'\\\'\'}; printf "'%s' " "$q"; }   # the guest runs cmd.sh with dash
{ printf 'exec '; for a in "$@"; do squote "$a"; done; printf '\n'; } > "$work/vmrun/cmd.sh"
[ "$MODE" = service ] && touch "$work/vmrun/service"
src=${FILES_DIR:-$work/vmrun}
mkext4 "$work/files.img" "$(( $(du -sm "$src" | cut -f1) + 256 ))M" "$src" || die "mkfs.ext4 (files) failed"
mkext4 "$work/vmrun.img" 16M "$work/vmrun" || die "mkfs.ext4 (vmrun) failed"

# guest ttyS1/ttyS2 -> fifos -> cat: the command's output streams back while it runs
mkfifo "$work/out" "$work/err"
cat "$work/out" & CO=$!
cat "$work/err" >&2 & CE=$!
t0=$SECONDS
set +e
timeout -k 5 "$VM_TIMEOUT" qemu-system-x86_64 -nodefaults -no-user-config -nographic -no-reboot \
  -accel tcg,thread=multi -cpu max -M pc -m "$VM_MEM" -smp "$VM_CPUS" \
  -kernel "$VM_CACHE/vmlinux" -initrd "$INITRD" \
  -append "console=ttyS0 root=/dev/vda rw quiet loglevel=3 systemd.show_status=0 panic=-1 apparmor=1 security=apparmor" \
  -drive "file=$ROOT_IMG,if=virtio,format=raw,snapshot=on" \
  -drive "file=$work/files.img,if=virtio,format=raw" -drive "file=$work/vmrun.img,if=virtio,format=raw" \
  -chardev file,id=con,path="$work/console.log" -serial chardev:con \
  -chardev file,id=out,path="$work/out" -serial chardev:out \
  -chardev file,id=err,path="$work/err" -serial chardev:err \
  -monitor none -nic none </dev/null >"$work/qemu.log" 2>&1 &
QPID=$!
wait $QPID; qrc=$?; QPID=""
for f in out err; do timeout 2 sh -c ': > "$1"' _ "$work/$f" 2>/dev/null & done   # qemu died before opening them
wait $CO $CE 2>/dev/null
set -e
wall=$((SECONDS - t0))
[ "$VM_DEBUG" = 1 ] && cat "$work/console.log" >&2
start=$(grep -a '^@@VMRUN-START' "$work/console.log" | tail -1 | tr -d '\r') || true
line=$(grep -a '@@VMRUN-EXIT' "$work/console.log" | tail -1 | tr -d '\r') || true
if [ -n "$start" ]; then
  set -- $start
  echo "systemd-vm: login shell at ${2} s of guest uptime, in ${3:-?}; VM ran ${wall} s in all (mode $MODE)" >&2
fi
if [ -z "$line" ]; then
  if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then echo "systemd-vm: timed out after ${VM_TIMEOUT}s" >&2; rc=124; else rc=125; fi
  echo "systemd-vm: the VM reported no status (qemu rc $qrc); console's last lines:" >&2
  tail -30 "$work/console.log" >&2; cat "$work/qemu.log" >&2
  exit $rc
fi
set -- $line; exit "$2"
