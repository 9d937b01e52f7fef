package gc

import (
	"testing"

	"github.com/saturnpod/saturn/stage1/cgroups"
)

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{`/a\040b`: "/a b", `/plain`: "/plain", `/t\011x\134`: "/t\tx\\", `/short\04`: `/short\04`} {
		if got := cgroups.UnescapeMountinfo(in); got != want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
}
