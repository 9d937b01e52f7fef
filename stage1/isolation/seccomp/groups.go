package seccomp

// Group names accepted in a Spec. The rkt and docker names are kept so
// manifests written for rkt keep working; they resolve to saturn's sets,
// which block at least what rkt's did.
const (
	// GroupDefaultBlocklist is what saturn denies by default.
	GroupDefaultBlocklist = "@saturn/default-blocklist"
	// GroupDefaultAllowlist is every syscall of the ABI except the default
	// blocklist: a retain-set start that behaves like the default filter.
	GroupDefaultAllowlist = "@saturn/default-allowlist"
	// GroupAll and GroupEmpty are appc's.
	GroupAll   = "@appc.io/all"
	GroupEmpty = "@appc.io/empty"
)

// aliases maps group names from rkt and docker to saturn's.
var aliases = map[string]string{
	"@rkt/default-blacklist":    GroupDefaultBlocklist,
	"@docker/default-blacklist": GroupDefaultBlocklist,
	"@rkt/default-whitelist":    GroupDefaultAllowlist,
	"@docker/default-whitelist": GroupDefaultAllowlist,
}

// defaultBlocklist: what container runtimes deny. Most of it needs a
// capability the app lacks anyway; the filter is the second wall, and it
// also shrinks the kernel surface reachable without privileges (bpf,
// userfaultfd, io_uring, keyrings, new namespaces). ptrace stays allowed:
// inside the PID namespace, without CAP_SYS_PTRACE, it reaches only the
// app's own processes, and debuggers need it.
var defaultBlocklist = []string{
	// kernel code and the machine
	"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
	"create_module", "get_kernel_syms", "query_module", "reboot", "swapon", "swapoff",
	"iopl", "ioperm", "vm86", "vm86old", "uselib", "acct", "syslog", "_sysctl", "sysfs",
	"ustat", "nfsservctl", "lookup_dcookie", "vhangup", "quotactl", "quotactl_fd",
	// clocks
	"settimeofday", "clock_settime", "clock_settime64", "clock_adjtime", "clock_adjtime64", "stime",
	// mounts, old and new API
	"mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick",
	"move_mount", "open_tree", "mount_setattr",
	// namespaces (clone with CLONE_NEW* flags is caught by argument, see compile.go)
	"unshare", "setns",
	// kernel surface reachable without privileges
	"add_key", "request_key", "keyctl", "bpf", "perf_event_open", "userfaultfd",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	"open_by_handle_at", "name_to_handle_at", "move_pages", "migrate_pages", "mbind",
	"set_mempolicy", "kcmp", "fanotify_init",
}

// retainAlways are allowed even by an allowlist that omits them: the helper
// that installs the filter still has to exec the app, and a Go thread may
// take a signal (rt_sigreturn) or wait on a futex before it does.
var retainAlways = []string{"execve", "rt_sigreturn", "sigreturn", "exit", "exit_group", "futex"}
