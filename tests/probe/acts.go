package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// trySyscall makes one harmless call of a syscall the isolation tests
// care about and returns "ok" or the errno's name.
func trySyscall(name string) string {
	var err error
	switch name {
	case "unshare":
		// unshare(0) changes nothing and needs no capability: only a
		// seccomp filter refuses it.
		err = unix.Unshare(0)
	case "keyctl":
		// KEYCTL_GET_KEYRING_ID of the session keyring, not creating it.
		_, _, e := unix.Syscall(unix.SYS_KEYCTL, unix.KEYCTL_GET_KEYRING_ID, uintptr(0xfffffffd), 0)
		if e != 0 {
			err = e
		}
	case "getpid":
		_, _, e := unix.Syscall(unix.SYS_GETPID, 0, 0, 0)
		if e != 0 {
			err = e
		}
	case "chroot":
		// chroot to / needs CAP_SYS_CHROOT and changes nothing.
		err = unix.Chroot("/")
	default:
		return "unknown syscall " + name
	}
	return errName(err)
}

// sendSignal sends "PID:SIG" to the process and to each of its threads
// (tgkill: the Go runtime treats a signal sent to one thread apart).
func sendSignal(spec string) string {
	p, s, _ := strings.Cut(spec, ":")
	pid, err1 := strconv.Atoi(p)
	sig, err2 := strconv.Atoi(s)
	if err1 != nil || err2 != nil {
		return "bad --signal " + spec
	}
	if err := unix.Kill(pid, unix.Signal(sig)); err != nil {
		return errName(err)
	}
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return errName(err)
	}
	for _, e := range ents {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			if err := unix.Tgkill(pid, tid, unix.Signal(sig)); err != nil && err != unix.ESRCH {
				return errName(err)
			}
		}
	}
	return "ok"
}

// allocate touches n MiB of fresh memory and keeps it, for the memory
// limit tests: over the limit, the OOM killer ends the probe here.
func allocate(mib int) [][]byte {
	var keep [][]byte
	for range mib {
		b := make([]byte, 1<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		keep = append(keep, b)
	}
	return keep
}

func errName(err error) string {
	if err == nil {
		return "ok"
	}
	if e, ok := err.(unix.Errno); ok {
		if n := unix.ErrnoName(e); n != "" {
			return n
		}
	}
	return err.Error()
}

// inheritedFds lists the open fds and their targets with raw calls, before
// the Go runtime or the probe opens anything of its own.
func inheritedFds() map[string]string {
	fds := map[string]string{}
	dir, err := syscall.Open("/proc/self/fd", syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		fds["error"] = err.Error()
		return fds
	}
	defer syscall.Close(dir)
	buf := make([]byte, 8192)
	var names []string
	for {
		n, err := syscall.ReadDirent(dir, buf)
		if err != nil || n <= 0 {
			break
		}
		_, _, names = syscall.ParseDirent(buf[:n], -1, names)
	}
	own := strconv.Itoa(dir)
	for _, name := range names {
		if name == own {
			continue
		}
		target := make([]byte, 256)
		if n, err := syscall.Readlink("/proc/self/fd/"+name, target); err == nil {
			fds[name] = string(target[:n])
		}
	}
	return fds
}
