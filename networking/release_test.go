package networking

import (
	"context"
	"fmt"
	"testing"
)

// Release tears down a pod whose processes are gone, namespace first: no
// lease, rule (port mappings, per-pod masquerade) or link is left, the
// record goes, and a second Release is a no-op.
func TestRelease(t *testing.T) {
	o := testOpts(t, NetRequest{Name: NetDefault}, NetRequest{Name: "saturn-test-rel"})
	writeNetConf(t, o, "rel.conflist", fmt.Sprintf(`{"cniVersion":"1.0.0","name":"saturn-test-rel","plugins":[
	 {"type":"ptp","ipMasq":true,"ipam":{"type":"host-local","ranges":[[{"subnet":%q}]],"dataDir":%q}}]}`,
		testRestrictedSubnet, o.IPAMDataDir))
	o.Ports = []PortMapping{{HostPort: 18931, ContainerPort: 80, Protocol: "tcp"}}
	before := snapshot(t)
	p := mustSetup(t, o)
	ips := ipsOf(p)
	assertLive(t, o, NetDefault, ips[:1])
	p.Close()
	if err := Release(context.Background(), o.PodDir, o.PluginDirs); err != nil {
		t.Fatalf("Release: %v", err)
	}
	assertClean(t, o, before, ips)
	if err := Release(context.Background(), o.PodDir, o.PluginDirs); err != nil {
		t.Errorf("second Release: %v", err)
	}
}
