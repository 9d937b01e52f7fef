package cgroups

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func TestLimitsFromIsolators(t *testing.T) {
	raw := `[{"name":"resource/memory","value":{"request":"32M","limit":"64Mi"}},
		{"name":"resource/cpu","value":{"limit":"250m"}},
		{"name":"os/linux/cpu-shares","value":512},
		{"name":"os/linux/no-new-privileges","value":true}]`
	var is types.Isolators
	if err := json.Unmarshal([]byte(raw), &is); err != nil {
		t.Fatal(err)
	}
	got, err := LimitsFromIsolators(is)
	want := Limits{MemoryBytes: 64 << 20, CPUMillis: 250, CPUShares: 512}
	if err != nil || got != want {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
	// A whole CPU, a request without a limit: nothing for memory.
	raw = `[{"name":"resource/cpu","value":{"limit":"2"}},{"name":"resource/memory","value":{"request":"1G"}}]`
	is = nil
	if err := json.Unmarshal([]byte(raw), &is); err != nil {
		t.Fatal(err)
	}
	if got, err := LimitsFromIsolators(is); err != nil || got != (Limits{CPUMillis: 2000}) {
		t.Errorf("got %+v, %v", got, err)
	}
	// Built by hand rather than parsed: no value, an error and no panic.
	if _, err := LimitsFromIsolators(types.Isolators{{Name: types.ResourceMemoryName}}); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("valueless isolator: %v", err)
	}
	if err := (Limits{CPUShares: 1}).validate(); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("1 share: %v", err)
	}
}
