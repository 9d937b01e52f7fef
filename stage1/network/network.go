// Package network gives a pod its network namespace, as --net says:
// "host" (the host's namespace), "none" (a namespace of its own with
// loopback only, made while stage1 init sets up and gone with the pod),
// or a list of CNI networks ("default", "default-restricted", names in
// <local-config>/net.d, each with optional CNI args), which package
// networking sets up with the plugins the stage1 image ships in
// /usr/lib/saturn/cni. stage1 init
// starts the pod init in the new namespace before the plugins run, and
// the pod init waits until they are done (package inpod), so that the pod
// init's start and the building of the app roots overlap the plugins'
// work. A CNI pod's namespace outlives a crash of stage1: stage1 init
// tears it down when the pod exits, and gc does (again, or for the first
// time after a kill -9 or a reboot) from what the pod dir records. The
// apps get the CNI result's DNS unless --dns said otherwise.
package network

import (
	"os/exec"

	"github.com/saturnpod/saturn/networking"
	"github.com/saturnpod/saturn/stage1/podcfg"
)

// Network sets up and tears down a pod's networking.
type Network interface {
	// Start starts the pod init (cmd, whose SysProcAttr has its other
	// namespaces) in the pod's network namespace. The caller holds
	// runtime.LockOSThread: a CNI network starts cmd from a thread that
	// joined the namespace it made (networking.Pod.Start).
	Start(cmd *exec.Cmd) error
	// Teardown undoes what Start set up, from the pod dir, after any
	// crash; it is idempotent.
	Teardown() error
}

// For returns the Network --net names, for gc (Teardown): "host",
// "none", or a list of CNI networks. A CNI network from For cannot Start;
// stage1 init uses ForRun.
func For(net string) (Network, error) {
	switch net {
	case networking.NetHost:
		return host{}, nil
	case networking.NetNone, "":
		return none{}, nil
	}
	reqs, err := networking.ParseNetList(net)
	if err != nil {
		return nil, err
	}
	return cni{reqs: reqs}, nil
}

// ForRun returns the Network of stage1 init: For's, and for CNI networks
// what Start needs to set them up (UUID, --local-config, the DNS mode).
func ForRun(f *podcfg.RunFlags) (Network, error) {
	nw, err := For(f.Net)
	switch n := nw.(type) {
	case cni:
		n.run = f
		return n, nil
	case none:
		return none{made: makeNetns()}, nil
	}
	return nw, err
}

// host keeps the pod in the host's network namespace.
type host struct{}

func (host) Start(cmd *exec.Cmd) error { return cmd.Start() }
func (host) Teardown() error           { return nil }
