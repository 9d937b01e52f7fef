package caps

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/appc/spec/schema/types"
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

func TestFromIsolators(t *testing.T) {
	for _, c := range []struct {
		raw  string
		want Set
	}{
		{`[]`, Default},
		{`[{"name":"os/linux/capabilities-retain-set","value":{"set":["CAP_NET_ADMIN"]}}]`, Of(unix.CAP_NET_ADMIN)},
		{`[{"name":"os/linux/capabilities-remove-set","value":{"set":["CAP_KILL","CAP_CHOWN"]}}]`,
			Default &^ Of(unix.CAP_KILL, unix.CAP_CHOWN)},
	} {
		var is types.Isolators
		if err := json.Unmarshal([]byte(c.raw), &is); err != nil {
			t.Fatal(err)
		}
		got, err := FromIsolators(is)
		if err != nil || got != c.want {
			t.Errorf("%s: got %v, %v; want %v", c.raw, got, err, c.want)
		}
	}
	var is types.Isolators
	both := `[{"name":"os/linux/capabilities-retain-set","value":{"set":["CAP_KILL"]}},
	          {"name":"os/linux/capabilities-remove-set","value":{"set":["CAP_CHOWN"]}}]`
	if err := json.Unmarshal([]byte(both), &is); err != nil {
		t.Fatal(err)
	}
	if _, err := FromIsolators(is); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("both sets: %v", err)
	}
}

func TestFlagIsolatorRoundTrip(t *testing.T) {
	iso, err := FlagIsolator(false, "net_raw, CAP_MKNOD")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(types.Isolators{*iso})
	if err != nil {
		t.Fatal(err)
	}
	var is types.Isolators
	if err := json.Unmarshal(b, &is); err != nil {
		t.Fatal(err)
	}
	got, err := FromIsolators(is)
	if want := Default &^ Of(unix.CAP_NET_RAW, unix.CAP_MKNOD); err != nil || got != want {
		t.Errorf("got %v, %v; want %v", got, err, want)
	}
	if _, err := FlagIsolator(true, "sys_fly"); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("bad name: %v", err)
	}
}
