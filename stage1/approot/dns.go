package approot

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/saturnpod/saturn/stage1/inroot"
)

// writeDNS gives the app /etc/resolv.conf and /etc/hosts as --dns-conf-mode
// says. Files are written into the app's upper dir, not bind-mounted: a
// write is cheaper than a mount and the app may edit its copy.
func writeDNS(root int, s *Spec) error {
	switch s.DNS.Resolv {
	case "host":
		if err := copyIn(root, "/etc/resolv.conf", "/etc/resolv.conf", true); err != nil {
			return err
		}
	case "stage0":
		if err := copyIn(root, filepath.Join(s.DNSDir, "rkt-resolv.conf"), "/etc/resolv.conf", false); err != nil {
			return err
		}
	}
	switch s.DNS.Hosts {
	case "stage0":
		return copyIn(root, filepath.Join(s.DNSDir, "rkt-hosts"), "/etc/hosts", false)
	case "host":
		return copyIn(root, "/etc/hosts", "/etc/hosts", false)
	}
	hosts := fmt.Sprintf("127.0.0.1\tlocalhost localhost.localdomain %[1]s\n::1\tlocalhost ip6-localhost ip6-loopback %[1]s\n", s.Hostname)
	_, err := inroot.WriteFile(root, "/etc/hosts", []byte(hosts), true)
	return err
}

// copyIn copies a host file into the root; a missing source is skipped
// when optional (a host without resolv.conf).
func copyIn(root int, src, dst string, optional bool) error {
	b, err := os.ReadFile(src)
	if optional && os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = inroot.WriteFile(root, dst, b, false)
	return err
}
