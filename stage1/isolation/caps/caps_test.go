package caps

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func TestNamesMatchKernelNumbers(t *testing.T) {
	for name, want := range map[string]Cap{
		"CAP_CHOWN": unix.CAP_CHOWN, "net_raw": unix.CAP_NET_RAW, "Sys_Admin": unix.CAP_SYS_ADMIN,
		"CAP_AUDIT_WRITE": unix.CAP_AUDIT_WRITE, "CAP_CHECKPOINT_RESTORE": unix.CAP_CHECKPOINT_RESTORE,
	} {
		got, err := Parse(name)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := Parse("CAP_FLY"); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("unknown name: %v", err)
	}
	if Last != unix.CAP_LAST_CAP {
		t.Errorf("Last = %d, x/sys says %d", Last, unix.CAP_LAST_CAP)
	}
}

func TestDefaultIsAppcSet(t *testing.T) {
	want := "CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,CAP_KILL,CAP_SETGID,CAP_SETUID," +
		"CAP_SETPCAP,CAP_NET_BIND_SERVICE,CAP_NET_RAW,CAP_SYS_CHROOT,CAP_MKNOD,CAP_AUDIT_WRITE,CAP_SETFCAP"
	if got := Default.String(); got != want {
		t.Errorf("Default = %s\nwant      %s", got, want)
	}
}
