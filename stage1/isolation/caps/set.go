package caps

import (
	"strings"
)

// Set is a capability set as the kernel stores it: bit n is capability n.
type Set uint64

// Default is the appc default set, the bounding set of an app that names no
// capability isolator.
const Default Set = 1<<29 | // CAP_AUDIT_WRITE
	1<<0 | // CAP_CHOWN
	1<<1 | // CAP_DAC_OVERRIDE
	1<<4 | // CAP_FSETID
	1<<3 | // CAP_FOWNER
	1<<5 | // CAP_KILL
	1<<27 | // CAP_MKNOD
	1<<13 | // CAP_NET_RAW
	1<<10 | // CAP_NET_BIND_SERVICE
	1<<7 | // CAP_SETUID
	1<<6 | // CAP_SETGID
	1<<8 | // CAP_SETPCAP
	1<<31 | // CAP_SETFCAP
	1<<18 // CAP_SYS_CHROOT

// All is every capability up to 63: with --insecure-options=capabilities the
// app keeps whatever the kernel has, including capabilities newer than Last.
const All Set = ^Set(0)

// Of builds a set from capabilities.
func Of(cs ...Cap) Set {
	var s Set
	for _, c := range cs {
		s |= 1 << c
	}
	return s
}

// Has reports whether c is in s.
func (s Set) Has(c Cap) bool { return c < 64 && s&(1<<c) != 0 }

// Caps lists the capabilities in s in numeric order.
func (s Set) Caps() []Cap {
	var out []Cap
	for c := Cap(0); c < 64; c++ {
		if s.Has(c) {
			out = append(out, c)
		}
	}
	return out
}

// String lists the names, comma-separated, as /proc and capsh users read them.
func (s Set) String() string {
	cs := s.Caps()
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, ",")
}
