package network

import (
	"errors"
	"testing"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/podcfg"
)

func TestFor(t *testing.T) {
	for net, want := range map[string]Network{"host": host{}, "none": none{}} {
		if nw, err := For(net); err != nil || nw != want {
			t.Errorf("%s: %v %v", net, nw, err)
		}
	}
	nw, err := For("default,mynet:IP=10.1.2.3")
	c, ok := nw.(cni)
	if err != nil || !ok || len(c.reqs) != 2 || c.reqs[1].Name != "mynet" || c.reqs[1].Args[0] != [2]string{"IP", "10.1.2.3"} {
		t.Errorf("CNI list: %#v %v", nw, err)
	}
	for _, bad := range []string{"host,default", "none:X=1", "a,a", "mynet:IP"} {
		if _, err := For(bad); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("%s: %v", bad, err)
		}
	}
	f := &podcfg.RunFlags{Net: "default", UUID: "u"}
	if nw, err := ForRun(f); err != nil || nw.(cni).run != f {
		t.Errorf("ForRun: %#v %v", nw, err)
	}
	if err := (cni{}).Start(nil); err == nil {
		t.Error("a CNI network from For started")
	}
}
