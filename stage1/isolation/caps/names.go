package caps

import (
	"fmt"
	"strings"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Cap is one capability, numbered as in <linux/capability.h>.
type Cap uint

// Last is the highest capability this package knows by name
// (CAP_CHECKPOINT_RESTORE, Linux 5.9). A kernel may know more; All covers
// those too.
const Last Cap = 40

// names is indexed by capability number; a const array, not a map, so the
// package holds no mutable state.
var names = [Last + 1]string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// String returns the CAP_ name, or "cap_<n>" for a number beyond Last.
func (c Cap) String() string {
	if c <= Last {
		return names[c]
	}
	return fmt.Sprintf("cap_%d", uint(c))
}

// Parse accepts a capability name as appc writes it ("CAP_NET_RAW") or
// without the prefix and in any case ("net_raw"), as rkt's --caps flags did.
func Parse(name string) (Cap, error) {
	n := strings.ToUpper(strings.TrimSpace(name))
	if !strings.HasPrefix(n, "CAP_") {
		n = "CAP_" + n
	}
	for i, s := range names {
		if s == n {
			return Cap(i), nil
		}
	}
	return 0, fmt.Errorf("capability %q: %w", name, errdefs.ErrInvalid)
}
