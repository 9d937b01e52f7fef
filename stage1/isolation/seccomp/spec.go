package seccomp

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Mode says how a Spec's syscall list is read.
type Mode string

const (
	// ModeRemove denies the listed syscalls and allows all others.
	ModeRemove Mode = "remove"
	// ModeRetain allows only the listed syscalls.
	ModeRetain Mode = "retain"
)

// Spec describes an app's filter. It is plain data (JSON-friendly) so the
// stage1 can pass it to the helper that execs the app, and enter can build
// the same filter from the app's exec record.
type Spec struct {
	Mode Mode `json:"mode"`
	// Syscalls holds syscall names and @group names. A name unknown to the
	// native and compat ABIs alike is an error; a name only one of them has
	// applies there only (umount exists on i386, not on x86_64).
	Syscalls []string `json:"syscalls"`
	// Errno is the symbolic errno ("EPERM") a denied syscall returns. Empty
	// means the process is killed with SIGSYS, as appc and rkt specify.
	Errno string `json:"errno,omitempty"`
}

// Default is the filter of an app that names no seccomp isolator.
func Default() Spec {
	return Spec{Mode: ModeRemove, Syscalls: []string{GroupDefaultBlocklist}, Errno: "EPERM"}
}

// ParseFlag reads rkt's --seccomp syntax: "mode=retain|remove" first, then
// an optional "errno=EXXX", then syscall and group names, comma-separated.
// For example "mode=remove,errno=ENOTSUP,socket".
func ParseFlag(flag string) (Spec, error) {
	var s Spec
	for i, part := range strings.Split(flag, ",") {
		part = strings.TrimSpace(part)
		switch {
		case i == 0:
			m, ok := strings.CutPrefix(part, "mode=")
			if !ok || (m != string(ModeRetain) && m != string(ModeRemove)) {
				return Spec{}, fmt.Errorf("--seccomp %q: must start with mode=retain or mode=remove: %w", flag, errdefs.ErrInvalid)
			}
			s.Mode = Mode(m)
		case strings.HasPrefix(part, "errno="):
			s.Errno = strings.TrimPrefix(part, "errno=")
		case part != "":
			s.Syscalls = append(s.Syscalls, part)
		}
	}
	return s, s.Validate()
}

// Validate checks the mode, the errno name and that every entry is known.
func (s Spec) Validate() error {
	if s.Mode != ModeRetain && s.Mode != ModeRemove {
		return fmt.Errorf("seccomp mode %q: %w", s.Mode, errdefs.ErrInvalid)
	}
	if len(s.Syscalls) == 0 {
		return fmt.Errorf("seccomp %s set is empty: %w", s.Mode, errdefs.ErrInvalid)
	}
	if _, err := errnoValue(s.Errno); err != nil {
		return err
	}
	_, err := Compile(s)
	return err
}

// errnoValue maps "EPERM" to its number; "" maps to 0, meaning kill.
func errnoValue(name string) (unix.Errno, error) {
	if name == "" {
		return 0, nil
	}
	for e := unix.Errno(1); e < 4096; e++ {
		if unix.ErrnoName(e) == name {
			return e, nil
		}
	}
	return 0, fmt.Errorf("errno %q: %w", name, errdefs.ErrInvalid)
}
