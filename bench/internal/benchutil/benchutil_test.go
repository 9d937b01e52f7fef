package benchutil

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestPercentiles(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2, 3, 9, 8, 7, 6, 10}
	if m := Median(ds); m != 6 {
		t.Errorf("median %v", m)
	}
	if p := Percentile(ds, 90); p != 10 {
		t.Errorf("p90 %v", p)
	}
	if m := Min(ds); m != 1 {
		t.Errorf("min %v", m)
	}
	if ds[0] != 5 {
		t.Errorf("ds sorted in place: %v", ds)
	}
}

func TestInterleave(t *testing.T) {
	var order []string
	mk := func(name string) *Contender {
		return &Contender{Name: name, Cmd: func(int) *exec.Cmd { order = append(order, name); return exec.Command("true") }}
	}
	cs := []*Contender{mk("a"), mk("b")}
	if err := Interleave(cs, 2, true); err != nil {
		t.Skip(err)
	}
	if got := strings.Join(order, ""); got != "abba" || len(cs[0].Times) != 2 {
		t.Errorf("order %s, times %v", got, cs[0].Times)
	}
}
