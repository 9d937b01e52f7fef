package appcspec

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/appc/spec/schema/types"
	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/cgroups"
	"github.com/saturnpod/saturn/stage1/isolation"
	"github.com/saturnpod/saturn/stage1/isolation/caps"
	"github.com/saturnpod/saturn/stage1/isolation/seccomp"
)

// isolators parses raw as the isolators of a pod manifest's app.
func isolators(t *testing.T, raw string) types.Isolators {
	t.Helper()
	var is types.Isolators
	if err := json.Unmarshal([]byte(raw), &is); err != nil {
		t.Fatal(err)
	}
	return is
}

func TestCaps(t *testing.T) {
	for _, c := range []struct {
		raw  string
		want caps.Set
	}{
		{`[]`, caps.Default},
		{`[{"name":"os/linux/capabilities-retain-set","value":{"set":["CAP_NET_ADMIN"]}}]`, caps.Of(unix.CAP_NET_ADMIN)},
		{`[{"name":"os/linux/capabilities-remove-set","value":{"set":["CAP_KILL","CAP_CHOWN"]}}]`,
			caps.Default &^ caps.Of(unix.CAP_KILL, unix.CAP_CHOWN)},
	} {
		got, err := Caps(isolators(t, c.raw))
		if err != nil || got != c.want {
			t.Errorf("%s: got %v, %v; want %v", c.raw, got, err, c.want)
		}
	}
	both := `[{"name":"os/linux/capabilities-retain-set","value":{"set":["CAP_KILL"]}},
	          {"name":"os/linux/capabilities-remove-set","value":{"set":["CAP_CHOWN"]}}]`
	if _, err := Caps(isolators(t, both)); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("both sets: %v", err)
	}
	// Built by hand, not unmarshalled: no value inside.
	if _, err := IsolatorCaps(&types.Isolator{Name: types.LinuxCapabilitiesRetainSetName}); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("valueless isolator: %v", err)
	}
}

func TestSeccomp(t *testing.T) {
	for raw, want := range map[string]seccomp.Spec{
		`[]`: seccomp.Default(),
		`[{"name":"os/linux/seccomp-retain-set","value":{"set":["@docker/default-whitelist","umount2"],"errno":"ENOSYS"}}]`: {
			Mode: seccomp.ModeRetain, Syscalls: []string{"@docker/default-whitelist", "umount2"}, Errno: "ENOSYS"},
		`[{"name":"os/linux/seccomp-remove-set","value":{"set":["socket"]}}]`: {
			Mode: seccomp.ModeRemove, Syscalls: []string{"socket"}},
	} {
		got, err := Seccomp(isolators(t, raw))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, %v; want %+v", raw, got, err, want)
		}
	}
	both := `[{"name":"os/linux/seccomp-retain-set","value":{"set":["read"]}},
	         {"name":"os/linux/seccomp-remove-set","value":{"set":["mount"]}}]`
	if _, err := Seccomp(isolators(t, both)); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("both sets: got %v, want ErrInvalid", err)
	}
	if _, err := Seccomp(types.Isolators{{Name: types.LinuxSeccompRemoveSetName}}); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("valueless isolator: got %v, want ErrInvalid", err)
	}
}

func TestIsolation(t *testing.T) {
	c, err := Isolation(isolators(t, `[{"name":"os/linux/no-new-privileges","value":true},
		{"name":"os/linux/oom-score-adj","value":500},
		{"name":"os/linux/capabilities-retain-set","value":{"set":["CAP_NET_ADMIN"]}}]`), isolation.Insecure{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.NoNewPrivs || c.OOMScoreAdj == nil || *c.OOMScoreAdj != 500 || c.Bounding != caps.Of(unix.CAP_NET_ADMIN) ||
		c.Seccomp == nil || !reflect.DeepEqual(*c.Seccomp, seccomp.Default()) {
		t.Errorf("got %+v", c)
	}
	for _, raw := range []string{
		`[{"name":"os/linux/capabilities-retain-set","value":{"set":["CAP_NOPE"]}}]`,
		`[{"name":"os/linux/seccomp-remove-set","value":{"set":["no_such_call"]}}]`,
	} {
		if _, err := Isolation(isolators(t, raw), isolation.Insecure{}); err == nil {
			t.Errorf("%s: accepted", raw)
		}
	}
	// Insecure options skip the bounding set and the filter, bad or not.
	c, err = Isolation(isolators(t, `[{"name":"os/linux/seccomp-remove-set","value":{"set":["no_such_call"]}}]`),
		isolation.Insecure{Capabilities: true, Seccomp: true})
	if err != nil || c.Seccomp != nil || c.Bounding != caps.All {
		t.Errorf("insecure: %+v, %v", c, err)
	}
}

func TestLimits(t *testing.T) {
	got, err := Limits(isolators(t, `[{"name":"resource/memory","value":{"request":"32M","limit":"64Mi"}},
		{"name":"resource/cpu","value":{"limit":"250m"}},
		{"name":"os/linux/cpu-shares","value":512},
		{"name":"os/linux/no-new-privileges","value":true}]`))
	want := cgroups.Limits{MemoryBytes: 64 << 20, CPUMillis: 250, CPUShares: 512}
	if err != nil || got != want {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
	// A whole CPU, a request without a limit: nothing for memory.
	raw := `[{"name":"resource/cpu","value":{"limit":"2"}},{"name":"resource/memory","value":{"request":"1G"}}]`
	if got, err := Limits(isolators(t, raw)); err != nil || got != (cgroups.Limits{CPUMillis: 2000}) {
		t.Errorf("got %+v, %v", got, err)
	}
	// Built by hand rather than parsed: no value, an error and no panic.
	if _, err := Limits(types.Isolators{{Name: types.ResourceMemoryName}}); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("valueless isolator: %v", err)
	}
}
