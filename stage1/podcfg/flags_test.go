package podcfg

import (
	"errors"
	"testing"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func TestParseRun(t *testing.T) {
	f, err := ParseRun([]string{"--net=host", "--debug", "--interactive", "--mds-token=x", "--local-config=/etc/saturn",
		"--disable-seccomp", "--private-users=", "--dns-conf-mode=resolv=stage0,hosts=default", "1b7c5f2e-aaaa-bbbb-cccc-dddddddddddd"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Net != "host" || !f.Debug || !f.Interactive || !f.DisableSeccomp || f.DisableCaps || f.UUID != "1b7c5f2e-aaaa-bbbb-cccc-dddddddddddd" {
		t.Errorf("got %+v", f)
	}
	if f.DNS != (DNSMode{Resolv: "stage0", Hosts: "default"}) {
		t.Errorf("dns %+v", f.DNS)
	}
	if f.Hostname != "saturn-1b7c5f2e" {
		t.Errorf("default hostname %q", f.Hostname)
	}
	f, err = ParseRun([]string{"--hostname=web", "uuid"})
	if err != nil || f.Hostname != "web" || f.Net != "none" || f.DNS.Resolv != "host" {
		t.Errorf("got %+v %v", f, err)
	}
	for _, bad := range [][]string{{}, {"a", "b"}, {"--bogus", "u"}, {"--dns-conf-mode=resolv=nope", "u"}, {"--dns-conf-mode=x=y", "u"}} {
		if _, err := ParseRun(bad); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestParseRunRefusesPrivateUsers(t *testing.T) {
	_, err := ParseRun([]string{"--private-users=65536:65536", "1b7c5f2e-aaaa-bbbb-cccc-dddddddddddd"})
	if !errors.Is(err, errdefs.ErrInvalid) {
		t.Fatalf("--private-users accepted without a user namespace: %v", err)
	}
}
