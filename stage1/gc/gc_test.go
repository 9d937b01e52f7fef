package gc

import "testing"

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{`/a\040b`: "/a b", `/plain`: "/plain", `/t\011x\134`: "/t\tx\\", `/short\04`: `/short\04`} {
		if got := unescape(in); got != want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
}
