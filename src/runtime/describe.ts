// A step as the kernel call it makes, in readable form: the same records feed --explain, error
// context and the golden plan tests.
import type { Step } from "../linux/steps.ts";
import { describeFlags } from "../linux/mounts/options.ts";
import { describeCloneFlags } from "../linux/namespaces/plan.ts";
import { describeAttrs, mountAttrs, propagationAttr } from "../linux/mounts/attr.ts";

const q = (s: string) => JSON.stringify(s);

export function describeCall(step: Step): string {
  switch (step.kind) {
    case "unshare": return `unshare(${describeCloneFlags(step.flags)})`;
    case "join-namespaces": return step.namespaces.map((n) => `setns(open(${q(n.path)}), ${describeCloneFlags(n.nstype)})`).join("; ");
    case "rebind-root": return `open_tree(".", OPEN_TREE_CLONE|AT_RECURSIVE); move_mount(→ ".")`;
    case "join-user": return `setns(open(${q(step.path)}), CLONE_NEWUSER); setresgid(0); setresuid(0)`;
    case "idmapped-overlay": return `open_tree(layer, OPEN_TREE_CLONE); mount_setattr(MOUNT_ATTR_IDMAP, ${q(step.userns)}); move_mount(→ ${q(step.stage + "/N")}) for ${step.lower.length} layer(s); mount("overlay", ${q(step.target)})`;
    case "propagation": return `mount(NULL, ${q(step.target)}, NULL, ${describeFlags(step.flags)}, NULL)`;
    case "mount": return `mount(${q(step.source)}, ${q(step.target)}, ${step.fstype ? q(step.fstype) : "NULL"}, ${describeFlags(step.flags)}, ${step.data ? q(step.data) : "NULL"})`;
    case "bind": return describeBind(step);
    case "remount": return `mount(NULL, ${q(step.target)}, NULL, ${describeFlags(step.flags)}, NULL)`;
    case "check-not-symlink": return `lstat(${step.paths.map(q).join(", ")}): must not be symlinks`;
    case "mknod": return `mknod(${q(step.path)}, S_IF${step.type === "c" ? "CHR" : step.type === "b" ? "BLK" : "IFO"}|0${step.mode.toString(8)}, makedev(${step.major}, ${step.minor}))`;
    case "symlink": return `symlink(${q(step.target)}, ${q(step.path)})`;
    case "pivot-root": return step.chroot ? `chroot(${q(step.rootfs)})` : `pivot_root(${q(step.rootfs)}, ${q(step.rootfs)}); umount2(old root, MNT_DETACH)`;
    case "mask": return `mask ${step.path} (bind /dev/null or empty read-only tmpfs)`;
    case "readonly": return `mount(${q(step.path)}, ${q(step.path)}, NULL, MS_BIND|MS_REC|MS_RDONLY, NULL)`;
    case "hostname": return `sethostname(${q(step.name)})`;
    case "domainname": return `setdomainname(${q(step.name)})`;
    case "interface-up": return `ioctl(SIOCSIFFLAGS, ${q(step.name)}, IFF_UP)`;
    case "sysctl": return `write /proc/sys/${step.key.replace(/\./g, "/")} = ${q(step.value)}`;
    case "rlimit": return `prlimit(${step.name}, ${step.soft}, ${step.hard})`;
    case "umask": return `umask(0${step.mask.toString(8)})`;
    case "chdir": return `chdir(${q(step.path)})`;
    case "set-user": return `setgroups([${step.additionalGids.join(", ")}]); setresgid(${step.gid}); setresuid(${step.uid})`;
    case "capabilities": return `capset(effective=${step.effective}, permitted=${step.permitted}${step.holdForFilter ? ", + CAP_SYS_ADMIN until the filter is in: execve drops it" : ""}); bounding=${step.bounding}`;
    case "no-new-privs": return "prctl(PR_SET_NO_NEW_PRIVS, 1)";
    case "apparmor": return step.now
      ? `apparmor: changeprofile ${step.profile} (write /proc/thread-self/attr/apparmor/current)`
      : `apparmor: exec ${step.profile} (write /proc/thread-self/attr/apparmor/exec)`;
    case "parent-death-signal": return `prctl(PR_SET_PDEATHSIG, ${step.signal})`;
    case "seccomp": return `seccomp(SECCOMP_SET_MODE_FILTER): ${step.syscalls} syscalls allowed`;
    case "stdin-null": return `dup2(open("/dev/null"), 0)`;
    case "create-hooks": return `wait for the runtime's prestart/createRuntime hooks; run ${step.hooks.length} createContainer hook(s)`;
    case "controlling-tty": return "setsid(); ioctl(0, TIOCSCTTY, 0)";
    case "new-session": return "setsid()";
    case "session-keyring": return "keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL)";
    case "console": return `openat2("/dev/pts", "ptmx", RESOLVE_NO_XDEV) only if devpts's 5:2; unlockpt; ioctl(TIOCGPTPEER) as 0-2; sendmsg(SCM_RIGHTS master)`;
    case "exec": return `execve(${q(step.args[0] ?? "")}, ${JSON.stringify(step.args)})`;
  }
}

function describeBind(step: Extract<Step, { kind: "bind" }>): string {
  const attrs = mountAttrs(step.flags);
  const prop = propagationAttr(step.propagation);
  const args = [
    ...(attrs.set || attrs.clear ? [describeAttrs(attrs)] : []),
    ...(prop.type ? [`propagation ${describeFlags(prop.type)}`] : []),
  ];
  const set = args.length ? `; mount_setattr(${args.join(", ")}${step.recursive || prop.recursive ? ", AT_RECURSIVE" : ""})` : "";
  return `open_tree(openat2(${q(step.source)}, RESOLVE_NO_SYMLINKS), OPEN_TREE_CLONE${step.recursive ? "|AT_RECURSIVE" : ""})${set}; move_mount(→ ${q(step.target)})`;
}
