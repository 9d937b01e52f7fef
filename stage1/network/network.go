// Package network gives a pod its network namespace. This stage1 knows
// "host" (the host's namespace) and "none" (a namespace of its own with
// loopback only). CNI networks plug in as another Network: they create and
// persist a namespace in the pod dir at Setup and undo it at Teardown,
// which gc calls even after a crash.
package network

import (
	"fmt"
	"os/exec"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Network sets up and tears down a pod's networking.
type Network interface {
	// Start starts the pod init (cmd, whose SysProcAttr has its other
	// namespaces) in the pod's network namespace. The caller holds
	// runtime.LockOSThread: a CNI network starts cmd from a thread that
	// joined the namespace it made (networking.Pod.Start).
	Start(cmd *exec.Cmd) error
	// InPod runs in the pod init, inside the pod's namespaces, before any
	// app starts.
	InPod() error
	// Teardown undoes what Start set up, from the pod dir, after any
	// crash; it is idempotent.
	Teardown() error
}

// For returns the Network --net names. "default" is the CNI default
// network in rkt; until stage1 runs CNI plugins, it gives the pod a private
// namespace with loopback only (see Notice).
func For(net string) (Network, error) {
	switch net {
	case "host":
		return host{}, nil
	case "none", "", "default":
		return none{}, nil
	}
	return nil, fmt.Errorf("--net=%s: this stage1 supports host and none: %w", net, errdefs.ErrInvalid)
}

// Notice is what the user should know about --net=net, or "".
func Notice(net string) string {
	if net == "default" {
		return "--net=default: CNI networking is not built into this stage1 yet; the pod has loopback only (--net=host shares the host's network)"
	}
	return ""
}

// host keeps the pod in the host's network namespace.
type host struct{}

func (host) Start(cmd *exec.Cmd) error { return cmd.Start() }
func (host) InPod() error              { return nil }
func (host) Teardown() error           { return nil }

// none gives the pod a namespace of its own with loopback only; it dies
// with the pod, so there is nothing to tear down.
type none struct{}

func (none) Start(cmd *exec.Cmd) error {
	cmd.SysProcAttr.Cloneflags |= unix.CLONE_NEWNET
	return cmd.Start()
}
func (none) InPod() error    { return LoopbackUp() }
func (none) Teardown() error { return nil }

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
