package seccomp

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func TestParseFlag(t *testing.T) {
	got, err := ParseFlag("mode=remove,errno=ENOTSUP,socket,@rkt/default-blacklist")
	if err != nil {
		t.Fatal(err)
	}
	want := Spec{Mode: ModeRemove, Errno: "ENOTSUP", Syscalls: []string{"socket", "@rkt/default-blacklist"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for _, bad := range []string{"socket", "mode=keep,socket", "mode=retain", "mode=remove,errno=EWHAT,socket",
		"mode=remove,no_such_syscall", "mode=remove,@rkt/unknown-group"} {
		if _, err := ParseFlag(bad); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("ParseFlag(%q): got %v, want ErrInvalid", bad, err)
		}
	}
}

func TestIsolatorRoundTrip(t *testing.T) {
	for _, s := range []Spec{
		{Mode: ModeRetain, Syscalls: []string{"@docker/default-whitelist", "umount2"}, Errno: "ENOSYS"},
		{Mode: ModeRemove, Syscalls: []string{"socket"}},
	} {
		iso, err := s.Isolator()
		if err != nil {
			t.Fatal(err)
		}
		// Through JSON, as the pod manifest carries it.
		b, err := json.Marshal(types.Isolators{*iso})
		if err != nil {
			t.Fatal(err)
		}
		var is types.Isolators
		if err := json.Unmarshal(b, &is); err != nil {
			t.Fatal(err)
		}
		got, err := FromIsolators(is)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("got %+v, want %+v", got, s)
		}
	}
}

func TestFromIsolatorsDefaultAndConflict(t *testing.T) {
	got, err := FromIsolators(nil)
	if err != nil || !reflect.DeepEqual(got, Default()) {
		t.Errorf("no isolator: got %+v, %v; want Default", got, err)
	}
	var is types.Isolators
	raw := `[{"name":"os/linux/seccomp-retain-set","value":{"set":["read"]}},
	         {"name":"os/linux/seccomp-remove-set","value":{"set":["mount"]}}]`
	if err := json.Unmarshal([]byte(raw), &is); err != nil {
		t.Fatal(err)
	}
	if _, err := FromIsolators(is); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("both sets: got %v, want ErrInvalid", err)
	}
	// Built by hand, not unmarshalled: no value inside.
	if _, err := FromIsolators(types.Isolators{{Name: types.LinuxSeccompRemoveSetName}}); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("valueless isolator: got %v, want ErrInvalid", err)
	}
}
