// Package network gives a pod its network namespace. This stage1 knows
// "host" (the host's namespace) and "none" (a namespace of its own with
// loopback only). CNI networks plug in as another Network: they create and
// persist a namespace in the pod dir at Setup and undo it at Teardown,
// which gc calls even after a crash.
package network

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Network sets up and tears down a pod's networking.
type Network interface {
	// CloneFlags are the namespace flags the pod init is started with
	// (CLONE_NEWNET for a private namespace, 0 to share the host's).
	CloneFlags() uintptr
	// InPod runs in the pod init, inside the pod's namespaces, before any
	// app starts.
	InPod() error
	// Teardown undoes Setup's work outside the pod; it is idempotent.
	Teardown() error
}

// For returns the Network --net names. "default" is the CNI default
// network in rkt; until CNI plugins are bundled, it gives the pod a private
// namespace with loopback only, and says so.
func For(net string) (Network, error) {
	switch net {
	case "host":
		return host{}, nil
	case "none", "":
		return none{}, nil
	case "default":
		fmt.Fprintln(os.Stderr, "saturn: --net=default: CNI networking is not built into this stage1 yet; the pod has loopback only (use --net=host for the host's network)")
		return none{}, nil
	}
	return nil, fmt.Errorf("--net=%s: this stage1 supports host and none: %w", net, errdefs.ErrInvalid)
}

type host struct{}

func (host) CloneFlags() uintptr { return 0 }
func (host) InPod() error        { return nil }
func (host) Teardown() error     { return nil }

type none struct{}

func (none) CloneFlags() uintptr { return unix.CLONE_NEWNET }
func (none) InPod() error        { return LoopbackUp() }
func (none) Teardown() error     { return nil }

// LoopbackUp brings up "lo" in the calling thread's network namespace.
func LoopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("loopback flags: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("loopback up: %w", err)
	}
	return nil
}
