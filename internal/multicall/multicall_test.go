package multicall

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var got []string
	mains := Mains{"run": func(args []string) int { got = args; return 3 }}
	var errs strings.Builder
	if c := Run("p", "run", mains, []string{"/x/run", "a", "b"}, &errs); c != 3 || strings.Join(got, " ") != "a b" {
		t.Errorf("run: exit %d, args %q", c, got)
	}
	if c := Run("p", "run", mains, []string{"/x/other"}, &errs); c != 254 || errs.String() != "p: unknown entrypoint \"/x/other\" (want run)\n" {
		t.Errorf("unknown: exit %d, %q", c, errs.String())
	}
}
