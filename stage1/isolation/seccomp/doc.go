// Package seccomp builds and installs the seccomp-bpf filter of an app.
//
// A Spec says which syscalls to match and what to do: in ModeRemove the
// listed syscalls are denied and all others allowed (a blocklist), in
// ModeRetain only the listed ones are allowed (an allowlist). Entries are
// syscall names or groups such as @saturn/default-blocklist (see groups.go).
// Specs come from the appc isolators os/linux/seccomp-retain-set and
// os/linux/seccomp-remove-set, from rkt's --seccomp flag syntax, or, when an
// app names neither, from Default: the blocklist container runtimes use,
// failing with EPERM.
//
// The filter is compiled here to classic BPF (the syscall tables come from
// github.com/elastic/go-seccomp-bpf/arch, pure Go, so stage1 stays static).
// It checks the audit architecture first: the native one and its 32-bit
// compat ABI (i386 on amd64, arm on arm64) get their own syscall numbers,
// the x32 ABI is refused with ENOSYS, and any other architecture kills the
// process, so a blocklist cannot be bypassed through another ABI.
package seccomp
