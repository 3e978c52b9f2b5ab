#!/bin/bash
# bunbox copy of the lab reference (../shared/labs/vm/vm-run.sh): boots a cgroup-v2-only Debian
# kernel under qemu for scripts/vm-test.ts. Changes: its own cache directory.
#
# vm-run.sh [--files DIR] [--] COMMAND...
#
# Boots a throw-away Debian 12 kernel (6.1, cgroup v2 ONLY: cgroup_no_v1=all) in
# QEMU (KVM if usable, else TCG), with DIR's contents copied to /files inside
# the guest, runs COMMAND as root (cwd /files), streams its stdout/stderr to
# this script's stdout/stderr and exits with COMMAND's exit status.
#
# Everything is built from Debian packages (by name) and cached in $VM_CACHE
# (default /var/tmp/bunbox-vm-cache). No network device is given to the guest.
#
# Env knobs:
#   VM_CACHE    cache dir                      (/var/tmp/bunbox-vm-cache)
#   VM_ACCEL    kvm | tcg | auto               (auto: kvm if /dev/kvm works)
#   VM_MEM      guest RAM                      (2G)
#   VM_CPUS     guest vCPUs                    (nproc of host, max 4)
#   VM_TIMEOUT  seconds before the VM is killed (600)  -> exit 124
#   VM_MODULES  extra kernel modules to include+load (space separated names)
#   VM_DEBUG=1  show kernel console / init log on stderr
#   VM_LOAD_MODULES=0  don't insmod the module set at boot (saves ~1.3 s; still in /lib/modules)
#   VM_KERNEL_PKG  Debian kernel package (default: what linux-image-amd64 depends on)
# Exit codes: COMMAND's status; 124 on timeout; 125 if the VM failed before
# reporting a status (console log is then printed to stderr).
set -euo pipefail

VM_CACHE=${VM_CACHE:-/var/tmp/bunbox-vm-cache}
VM_ACCEL=${VM_ACCEL:-auto}
VM_MEM=${VM_MEM:-2G}
_n=$(nproc); VM_CPUS=${VM_CPUS:-$(( _n > 4 ? 4 : _n ))}
VM_TIMEOUT=${VM_TIMEOUT:-600}
VM_DEBUG=${VM_DEBUG:-0}
BASE_VERSION=10   # bump when the base image layout / init changes

# modules that a container runtime typically needs; loaded at boot (with deps)
DEFAULT_MODULES="crc32c_generic overlay veth bridge br_netfilter nf_tables nft_chain_nat nft_masq nft_ct \
 nf_nat nf_conntrack xt_MASQUERADE xt_conntrack xt_addrtype iptable_nat iptable_filter \
 ip_tables ip6_tables x_tables tun loop squashfs fuse macvlan ipvlan"

FILES_DIR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --files) FILES_DIR=$2; shift 2 ;;
    --files=*) FILES_DIR=${1#--files=}; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--files DIR] -- COMMAND..." >&2; exit 2; }
[ -z "$FILES_DIR" ] || [ -d "$FILES_DIR" ] || { echo "vm-run: --files $FILES_DIR: not a directory" >&2; exit 2; }

log() { [ "$VM_DEBUG" = 1 ] && echo "vm-run: $*" >&2 || true; }
die() { echo "vm-run: $*" >&2; exit 125; }

# ---------------------------------------------------------------- host tools
need_root_apt() { [ "$(id -u)" = 0 ] || die "need root to apt-get install $*"; }
ensure_qemu() {
  local pk=""
  command -v qemu-system-x86_64 >/dev/null || pk="$pk qemu-system-x86"
  command -v xz >/dev/null || pk="$pk xz-utils"
  [ -z "$pk" ] && return
  need_root_apt $pk
  echo "vm-run: installing$pk (one time)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pk >&2 \
    || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pk >&2; }
}

# ---------------------------------------------------------------- cache build
fetch_deb() { # pkgname -> extracted into $VM_CACHE/x/pkgname
  local pkg=$1 dst=$VM_CACHE/x/$1
  [ -e "$dst/.ok" ] && return
  mkdir -p "$VM_CACHE/debs" && rm -rf "$dst"
  ( cd "$VM_CACHE/debs" && rm -f "${pkg}"_*.deb &&
    { apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null 2>&1 ||
      { apt-get update -qq >&2 && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2; }; } ) \
    || die "apt-get download $pkg failed"
  mkdir -p "$dst" && dpkg-deb -x "$VM_CACHE/debs/${pkg}"_*.deb "$dst" && touch "$dst/.ok"
}

kernel_pkg() {
  if [ -n "${VM_KERNEL_PKG:-}" ]; then echo "$VM_KERNEL_PKG"; return; fi
  if [ -e "$VM_CACHE/kernel_pkg" ]; then cat "$VM_CACHE/kernel_pkg"; return; fi
  local p; p=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  if [ -z "$p" ]; then apt-get update -qq >&2; p=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}'); fi
  [ -n "$p" ] || die "cannot resolve linux-image-amd64"
  echo "$p" > "$VM_CACHE/kernel_pkg"; echo "$p"
}

# resolve module names (+deps, +softdep pre) in dependency order; prints paths relative to moddir
resolve_modules() { # moddir names...
  local moddir=$1; shift
  declare -A path=() seen=()
  local f n
  while IFS= read -r f; do n=${f##*/}; n=${n%.ko}; path[${n//-/_}]=${f#"$moddir"/}; done \
    < <(find "$moddir/kernel" -name '*.ko')
  visit() {
    local m=${1//-/_} d
    [ -n "${seen[$m]:-}" ] && return; seen[$m]=1
    [ -n "${path[$m]:-}" ] || { echo "vm-run: warning: module $m not found (built-in?)" >&2; return; }
    for d in $(tr '\0' '\n' < "$moddir/${path[$m]}" | sed -n 's/^depends=//p; s/^softdep=pre: *//p' | tr ', ' '  '); do
      [ -n "${path[${d//-/_}]:-}" ] && visit "$d"
    done
    echo "${path[$m]}"
  }
  for n in "$@"; do visit "$n"; done
}

write_init() { cat > "$1" <<'EOF'
#!/bin/sh
# stage 1: initramfs root (rootfs cannot be pivot_root'ed) -> copy into a tmpfs, switch_root
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
if [ ! -e /.stage2 ]; then
  mount -t proc proc /proc
  mkdir -p /newroot && mount -t tmpfs -o mode=755,size=90% tmpfs /newroot
  for f in /* /.[!.]*; do
    case "$f" in /proc|/sys|/dev|/newroot|'/.[!.]*') ;; *) cp -a "$f" /newroot/ ;; esac
  done
  mkdir -p /newroot/proc /newroot/sys /newroot/dev && touch /newroot/.stage2
  umount /proc
  exec switch_root /newroot /init
fi
# stage 2
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /tmp /run /root
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
chmod 1777 /tmp
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
for c in cpuset cpu io memory pids hugetlb misc rdma; do
  grep -qw "$c" /sys/fs/cgroup/cgroup.controllers && echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
done
[ -d /sys/kernel/debug ] && mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
[ -d /sys/kernel/security ] && mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
mount -t fusectl fusectl /sys/fs/fuse/connections 2>/dev/null
echo /sbin/modprobe > /proc/sys/kernel/modprobe
grep -qw vmrun.nomods /proc/cmdline ||
  while read -r m; do insmod "/lib/modules/$(uname -r)/$m" 2>/dev/null; done < /lib/modules/load-order
mount -t fusectl fusectl /sys/fs/fuse/connections 2>/dev/null
hostname vm; ip link set lo up
for s in /dev/ttyS1 /dev/ttyS2; do stty -F $s raw -echo 2>/dev/null; done
. /vmrun/env
echo "@@VMRUN-START $(cut -d' ' -f1 /proc/uptime)"
mkfifo /run/o /run/e
cat /run/o > /dev/ttyS1 & po=$!
cat /run/e > /dev/ttyS2 & pe=$!
( cd "${VMRUN_CWD:-/}" && exec /bin/sh /vmrun/cmd.sh ) > /run/o 2> /run/e < /dev/null
rc=$?
wait $po $pe
echo "@@VMRUN-EXIT $rc $(cut -d' ' -f1 /proc/uptime)"
sync
reboot -f
EOF
chmod 755 "$1"; }

build_base() {
  local kpkg=$1 out=$VM_CACHE/base-$BASE_VERSION.cpio.gz
  local mods="$DEFAULT_MODULES ${VM_MODULES:-}" key
  key="$kpkg|$BASE_VERSION|$mods"
  if [ -e "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ]; then return; fi
  log "building base initramfs ($kpkg)"
  fetch_deb "$kpkg"; fetch_deb busybox-static; fetch_deb libc6
  local kx=$VM_CACHE/x/$kpkg kver r=$VM_CACHE/root.tmp
  kver=$(ls "$kx/lib/modules")
  # uncompressed ELF vmlinux (PVH entry): skips the in-guest xz decompressor (~3 s under TCG)
  local vz off; vz=$(ls "$kx"/boot/vmlinuz-*)
  off=$(grep -abo -m1 $'\xfd7zXZ\x00' "$vz" | head -1 | cut -d: -f1)
  [ -n "$off" ] || die "no xz payload in $vz"
  tail -c +$((off + 1)) "$vz" | xz -dc 2>/dev/null > "$VM_CACHE/vmlinux.tmp" || true
  [ "$(head -c 4 "$VM_CACHE/vmlinux.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || die "vmlinux extraction failed"
  mv "$VM_CACHE/vmlinux.tmp" "$VM_CACHE/vmlinux"
  rm -rf "$r"; mkdir -p "$r"/{bin,dev,proc,sys,etc,root,tmp,run,lib/x86_64-linux-gnu,lib64,usr,vmrun,files,lib/modules/$kver}
  ln -s bin "$r/sbin"; ln -s ../bin "$r/usr/bin"; ln -s ../bin "$r/usr/sbin"; ln -s ../lib "$r/usr/lib"
  local bb=$VM_CACHE/x/busybox-static/bin/busybox a
  cp "$bb" "$r/bin/busybox"
  for a in $("$bb" --list); do [ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"; done
  cp -a "$VM_CACHE"/x/libc6/lib/x86_64-linux-gnu/. "$r/lib/x86_64-linux-gnu/"
  ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$r/lib64/ld-linux-x86-64.so.2"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$r/etc/passwd"
  printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' > "$r/etc/group"
  printf '127.0.0.1 localhost vm\n::1 localhost\n' > "$r/etc/hosts"; echo vm > "$r/etc/hostname"
  printf 'passwd: files\ngroup: files\nhosts: files\n' > "$r/etc/nsswitch.conf"
  # kernel modules: requested set + deps, a kmod-style modules.dep and a load order
  local md=$r/lib/modules/$kver m
  resolve_modules "$kx/lib/modules/$kver" $mods > "$md/../load-order"
  while read -r m; do mkdir -p "$md/${m%/*}"; cp "$kx/lib/modules/$kver/$m" "$md/$m"; done < "$md/../load-order"
  cp "$kx/lib/modules/$kver"/modules.builtin* "$md/" 2>/dev/null || true
  while read -r m; do
    echo "$m: $(resolve_modules "$kx/lib/modules/$kver" "$(basename "$m" .ko)" 2>/dev/null | grep -vx "$m" | tac | tr '\n' ' ')"
  done < "$md/../load-order" > "$md/modules.dep"
  write_init "$r/init"
  ( cd "$r" && find . | "$bb" cpio -o -H newc 2>/dev/null ) | gzip -1 > "$out.tmp"
  # pad to 512 bytes: an appended (uncompressed) cpio must start 4-byte aligned; the kernel skips zeros
  local sz; sz=$(stat -c %s "$out.tmp"); head -c $(( (512 - sz % 512) % 512 )) /dev/zero >> "$out.tmp"
  mv "$out.tmp" "$out"; echo "$key" > "$out.key"; rm -rf "$r"
}

squote() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }

# ---------------------------------------------------------------- main
mkdir -p "$VM_CACHE"
ensure_qemu
exec 9>"$VM_CACHE/.lock"; flock 9
KPKG=$(kernel_pkg)
build_base "$KPKG"
flock -u 9

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vm-run.XXXXXX")
QPID=""
cleanup() { [ -n "$QPID" ] && kill "$QPID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# per-run archive (uncompressed newc, appended to the base): /files, /vmrun/cmd.sh, /vmrun/env
mkdir -p "$WORK/r/vmrun" "$WORK/r/files"
{ printf 'exec'; for a in "$@"; do printf ' %s' "$(squote "$a")"; done; echo; } > "$WORK/r/vmrun/cmd.sh"
{ echo "export HOME=/root TERM=dumb PATH=/files:/bin:/sbin:/usr/bin:/usr/sbin"
  if [ -n "$FILES_DIR" ]; then echo "VMRUN_CWD=/files"; else echo "VMRUN_CWD=/root"; fi; } > "$WORK/r/vmrun/env"
if [ -n "$FILES_DIR" ]; then  # hard links when on the same fs (fast for big binaries)
  cp -al "$FILES_DIR"/. "$WORK/r/files/" 2>/dev/null || { rm -rf "$WORK/r/files"; cp -a "$FILES_DIR"/. "$WORK/r/files/"; }
fi
BB=$VM_CACHE/x/busybox-static/bin/busybox
( cd "$WORK/r" && find . ! -name . | "$BB" cpio -o -H newc 2>/dev/null ) > "$WORK/run.cpio"
cat "$VM_CACHE/base-$BASE_VERSION.cpio.gz" "$WORK/run.cpio" > "$WORK/initrd"
rm -rf "$WORK/r" "$WORK/run.cpio"

# accelerator
# auto: KVM only with hardware virt visible (vmx/svm). Without it /dev/kvm may be a
# software nested hypervisor (e.g. kvm_pvm) that runs a stock kernel ~1000x slower than TCG.
kvm_ok() { [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo && [ ! -d /sys/module/kvm_pvm ]; }
case "$VM_ACCEL" in
  kvm) ACCEL=(-accel kvm -cpu host,-arch-capabilities) ;;
  tcg) ACCEL=(-accel tcg,thread=multi -cpu max) ;;
  *) if kvm_ok; then ACCEL=(-accel kvm -cpu host,-arch-capabilities); else ACCEL=(-accel tcg,thread=multi -cpu max); fi ;;
esac

VM_MACHINE=${VM_MACHINE:-pc}
KCMD="console=ttyS0 panic=-1 oops=panic cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1 \
 rdinit=/init tsc=reliable no_timer_check lpj=5000000 random.trust_cpu=on mitigations=off nowatchdog"
[ "$VM_DEBUG" = 1 ] || KCMD="$KCMD quiet loglevel=1"
[ "${VM_LOAD_MODULES:-1}" = 1 ] || KCMD="$KCMD vmrun.nomods"  # skip boot-time insmod (~1.3 s under TCG)

CONSOLE=$WORK/console.log
# guest ttyS1/ttyS2 -> fifos -> cat, so our own stdout/stderr fds (and file offsets) are reused
mkfifo "$WORK/out.fifo" "$WORK/err.fifo"
cat "$WORK/out.fifo" & CO=$!
cat "$WORK/err.fifo" >&2 & CE=$!
log "accel: ${ACCEL[*]}"
set +e
timeout -k 5 "$VM_TIMEOUT" qemu-system-x86_64 -nodefaults -no-user-config -nographic -no-reboot \
  -M "$VM_MACHINE" "${ACCEL[@]}" -smp "$VM_CPUS" -m "$VM_MEM" \
  -kernel "$VM_CACHE/vmlinux" -initrd "$WORK/initrd" -append "$KCMD" \
  -nic none -monitor none \
  -chardev file,id=con,path="$CONSOLE" -serial chardev:con \
  -chardev file,id=out,path="$WORK/out.fifo" -serial chardev:out \
  -chardev file,id=err,path="$WORK/err.fifo" -serial chardev:err \
  </dev/null >"$WORK/qemu.log" 2>&1 &
QPID=$!
if [ "$VM_DEBUG" = 1 ]; then tail -n +1 -f "$CONSOLE" --pid=$QPID >&2 2>/dev/null & fi
wait $QPID; qrc=$?; QPID=""
# if qemu died before opening the fifos, unblock the readers
for f in out err; do timeout 2 sh -c ': > "$1"' _ "$WORK/$f.fifo" 2>/dev/null & done
wait $CO $CE 2>/dev/null
set -e
line=$(grep -a "^@@VMRUN-EXIT " "$CONSOLE" 2>/dev/null | tail -1 | tr -d "\r") || true
if [ -n "$line" ]; then
  set -- $line; exit "$2"
fi
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then echo "vm-run: timeout after ${VM_TIMEOUT}s" >&2; rc=124; else rc=125; fi
echo "vm-run: VM ended without exit status (qemu rc=$qrc); qemu log / console:" >&2
cat "$WORK/qemu.log" "$CONSOLE" >&2 2>/dev/null
exit $rc
