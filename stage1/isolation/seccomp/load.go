package seccomp

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Load installs p on the calling thread. The thread needs no_new_privs set
// or CAP_SYS_ADMIN in its effective set. The filter is inherited by the
// threads and processes the thread creates and kept across execve; callers
// lock the goroutine to its thread and exec from it.
func Load(p Program) error {
	if len(p) == 0 {
		return nil
	}
	prog := unix.SockFprog{Len: uint16(len(p)), Filter: &p[0]}
	_, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0,
		uintptr(unsafe.Pointer(&prog)))
	if errno != 0 {
		return fmt.Errorf("seccomp(SET_MODE_FILTER): %w", errno)
	}
	return nil
}
