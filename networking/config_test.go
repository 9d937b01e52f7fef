package networking

import (
	"errors"
	"strings"
	"testing"

	"github.com/containernetworking/cni/libcni"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func TestNetConfig(t *testing.T) {
	o := Options{LocalConfigDir: t.TempDir()}.withDefaults()
	writeNetConf(t, o, "10-single.conf", `{"cniVersion":"0.4.0","name":"single","type":"bridge"}`)
	writeNetConf(t, o, "20-list.conflist", `{"cniVersion":"1.0.0","name":"list","plugins":[{"type":"ptp"},{"type":"portmap"}]}`)
	writeNetConf(t, o, "30-default.json", `{"cniVersion":"1.0.0","name":"default","plugins":[{"type":"bridge"}]}`)
	writeNetConf(t, o, "README", `not a config`)
	for name, types := range map[string]string{
		"single":             "bridge",
		"list":               "ptp,portmap",
		"default":            "bridge", // net.d overrides the built-in
		"default-restricted": "ptp",
	} {
		b, err := netConfig(name, o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		list, err := libcni.NetworkConfFromBytes(b)
		if err != nil {
			t.Fatalf("%s: recorded config does not parse: %v", name, err)
		}
		var got []string
		for _, p := range list.Plugins {
			got = append(got, p.Network.Type)
		}
		if list.Name != name || strings.Join(got, ",") != types {
			t.Errorf("%s: name %q plugins %v, want %s", name, list.Name, got, types)
		}
	}
	if _, err := netConfig("nosuch", o); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("unknown network: %v", err)
	}
	writeNetConf(t, o, "40-bad.conf", `{"name":`)
	if _, err := netConfig("nosuch", o); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("malformed file: %v", err)
	}
}

func TestBuiltinConfig(t *testing.T) {
	o := testOpts(t)
	b, _, err := builtinConfig(NetDefault, o)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	// Masqueraded by the subnet rule, not per pod by ptp.
	if !strings.Contains(snapshot(t).rules, "saturn: masquerade "+testSubnet) || !strings.Contains(s, `"ipMasq":false`) {
		t.Errorf("default: no subnet masquerade rule, or ptp masquerades too: %s", s)
	}
	for _, want := range []string{testSubnet, `"0.0.0.0/0"`, o.IPAMDataDir} {
		if !strings.Contains(s, want) {
			t.Errorf("default lacks %s: %s", want, s)
		}
	}
	if strings.Contains(s, "portmap") {
		t.Errorf("default without ports runs portmap: %s", s)
	}
	o.Ports = []PortMapping{{HostPort: 80, ContainerPort: 80, Protocol: "tcp"}}
	b, _, _ = builtinConfig(NetDefaultRestricted, o)
	s = string(b)
	if !strings.Contains(s, `"ipMasq":false`) || strings.Contains(s, "0.0.0.0/0") || !strings.Contains(s, testRestrictedSubnet) || !strings.Contains(s, "portMappings") {
		t.Errorf("default-restricted: %s", s)
	}
}
