package run

import (
	"encoding/json"
	"testing"

	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/stage1/appproc"
	"github.com/saturnpod/saturn/stage1/isolation/caps"
	"github.com/saturnpod/saturn/stage1/podcfg"
)

func isolators(t *testing.T, js string) types.Isolators {
	t.Helper()
	var is types.Isolators
	if err := json.Unmarshal([]byte(js), &is); err != nil {
		t.Fatal(err)
	}
	return is
}

const (
	capNetRaw  = 13
	capSysAdm  = 21
	capNetBind = 10
)

// fly starts from everything the caller has, not from appc's default set.
func TestBounding(t *testing.T) {
	for _, tc := range []struct {
		name, isolators string
		want            caps.Set
	}{
		{"none", `[]`, caps.All},
		{"retain", `[{"name":"os/linux/capabilities-retain-set","value":{"set":["CAP_NET_BIND_SERVICE"]}}]`, caps.Of(capNetBind)},
		{"remove", `[{"name":"os/linux/capabilities-remove-set","value":{"set":["CAP_NET_RAW","CAP_SYS_ADMIN"]}}]`, caps.All &^ caps.Of(capNetRaw, capSysAdm)},
	} {
		got, err := bounding(isolators(t, tc.isolators))
		if err != nil || got != tc.want {
			t.Errorf("%s: %x %v, want %x", tc.name, uint64(got), err, uint64(tc.want))
		}
	}
	both := `[{"name":"os/linux/capabilities-retain-set","value":{"set":["CAP_NET_RAW"]}},
		{"name":"os/linux/capabilities-remove-set","value":{"set":["CAP_NET_RAW"]}}]`
	if _, err := bounding(isolators(t, both)); err == nil {
		t.Errorf("retain and remove together: no error")
	}
}

// No seccomp filter unless the app asks; the insecure flags win over the
// isolators.
func TestConfinement(t *testing.T) {
	app := func(is string) *schema.RuntimeApp {
		return &schema.RuntimeApp{App: &types.App{Isolators: isolators(t, is)}}
	}
	proc := &appproc.Proc{}
	proc.Cred.Uid, proc.Cred.Gid = 7, 8
	c, err := confinement(app(`[]`), &podcfg.RunFlags{}, proc)
	if err != nil || c.Seccomp != nil || c.Bounding != caps.All || c.UID != 7 || c.GID != 8 {
		t.Errorf("no isolators: %+v %v", c, err)
	}
	sc := `[{"name":"os/linux/seccomp-remove-set","value":{"set":["reboot"]}},
		{"name":"os/linux/capabilities-retain-set","value":{"set":["CAP_NET_RAW"]}}]`
	c, err = confinement(app(sc), &podcfg.RunFlags{}, proc)
	if err != nil || c.Seccomp == nil || c.Bounding != caps.Of(capNetRaw) {
		t.Errorf("with isolators: %+v %v", c, err)
	}
	c, err = confinement(app(sc), &podcfg.RunFlags{DisableCaps: true, DisableSeccomp: true}, proc)
	if err != nil || c.Seccomp != nil || c.Bounding != caps.All {
		t.Errorf("insecure options: %+v %v", c, err)
	}
}
