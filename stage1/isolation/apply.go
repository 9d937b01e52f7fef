package isolation

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/stage1/isolation/caps"
	"github.com/saturnpod/saturn/stage1/isolation/seccomp"
)

// capSysAdmin lets a thread without no_new_privs install a seccomp filter.
const capSysAdmin = caps.Cap(21)

// Apply confines the calling thread as c says. It must run as root with the
// capabilities it is about to give away, after the mounts and chdir and
// before exec; it locks the calling goroutine to its OS thread for good,
// because capabilities, no_new_privs and the filter are per thread, so the
// caller must exec from the same goroutine (Exec does). On error the thread
// is half-confined: the caller must exit, not carry on.
//
// The order is forced by the kernel: rlimits and oom_score_adj while
// CAP_SYS_RESOURCE may still be held; the bounding set and ambient set while
// CAP_SETPCAP is; groups, gid, then uid; the capability sets; no_new_privs;
// the seccomp filter last, so it need not allow any of the calls above.
// Without no_new_privs a filter needs CAP_SYS_ADMIN: a non-root app keeps it
// across setuid (PR_SET_KEEPCAPS) just long enough, a root app holds it
// until exec; exec then recomputes the sets from the bounding set and drops
// it either way.
func (c Config) Apply() error {
	runtime.LockOSThread()
	prog, err := c.filter()
	if err != nil {
		return err
	}
	for _, r := range c.Rlimits {
		// syscall.Setrlimit, not a raw prlimit: the Go runtime must know, or
		// it restores its own RLIMIT_NOFILE in the child at exec.
		if err := syscall.Setrlimit(r.Resource, &syscall.Rlimit{Cur: r.Cur, Max: r.Max}); err != nil {
			return fmt.Errorf("setrlimit %d: %w", r.Resource, err)
		}
	}
	if c.OOMScoreAdj != nil {
		if err := SetOOMScoreAdj(*c.OOMScoreAdj); err != nil {
			return err
		}
	}
	_, permitted, err := c.dropBounding()
	if err != nil {
		return err
	}
	needAdmin := prog != nil && !c.NoNewPrivs
	if needAdmin && c.UID != 0 {
		if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("PR_SET_KEEPCAPS: %w", err)
		}
	}
	if err := setIDs(c); err != nil {
		return err
	}
	keep := c.Bounding
	if c.UID != 0 {
		// exec as non-root starts from empty sets whatever is held now.
		keep = 0
	}
	if needAdmin {
		keep |= caps.Of(capSysAdmin)
	}
	keep &= permitted
	if err := caps.SetThread(keep, keep, 0); err != nil {
		return err
	}
	if err := c.setNoNewPrivs(); err != nil {
		return err
	}
	return seccomp.Load(prog)
}

// filter compiles the seccomp filter; nil when there is none.
func (c Config) filter() (seccomp.Program, error) {
	if c.Seccomp == nil {
		return nil, nil
	}
	return seccomp.Compile(*c.Seccomp)
}

// dropBounding empties the ambient set and shrinks the bounding set to
// c.Bounding (both while CAP_SETPCAP is held), and returns the thread's
// effective and permitted sets.
func (c Config) dropBounding() (effective, permitted caps.Set, err error) {
	if err := caps.ClearAmbient(); err != nil {
		return 0, 0, err
	}
	if err := caps.DropBounding(c.Bounding); err != nil {
		return 0, 0, err
	}
	effective, permitted, _, err = caps.Thread()
	return effective, permitted, err
}

// setNoNewPrivs sets no_new_privs on the thread when c asks for it.
func (c Config) setNoNewPrivs() error {
	if !c.NoNewPrivs {
		return nil
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("PR_SET_NO_NEW_PRIVS: %w", err)
	}
	return nil
}

// Exec applies c and executes argv0 in place of this process.
func (c Config) Exec(argv0 string, argv, env []string) error {
	if err := c.Apply(); err != nil {
		return err
	}
	if err := unix.Exec(argv0, argv, env); err != nil {
		return fmt.Errorf("exec %s: %w", argv0, err)
	}
	return nil
}

// setIDs sets the supplementary groups, then the gid, then the uid: each
// step needs the privilege the next one gives up. The calls are raw, so
// they change the calling thread only (the syscall package's change every
// thread of the process, stopping each in turn): the thread execs next,
// and exec ends the others.
func setIDs(c Config) error {
	var groups unsafe.Pointer
	if len(c.Groups) > 0 {
		groups = unsafe.Pointer(&c.Groups[0])
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETGROUPS, uintptr(len(c.Groups)), uintptr(groups), 0); e != 0 {
		return fmt.Errorf("setgroups %v: %w", c.Groups, e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, uintptr(c.GID), uintptr(c.GID), uintptr(c.GID)); e != 0 {
		return fmt.Errorf("setgid %d: %w", c.GID, e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uintptr(c.UID), uintptr(c.UID), uintptr(c.UID)); e != 0 {
		return fmt.Errorf("setuid %d: %w", c.UID, e)
	}
	return nil
}

// SetOOMScoreAdj writes /proc/self/oom_score_adj. Lowering it below the
// current value needs CAP_SYS_RESOURCE.
func SetOOMScoreAdj(adj int) error {
	if err := os.WriteFile("/proc/self/oom_score_adj", []byte(strconv.Itoa(adj)), 0); err != nil {
		return fmt.Errorf("oom_score_adj %d: %w", adj, err)
	}
	return nil
}
