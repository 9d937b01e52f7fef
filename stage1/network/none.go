package network

import (
	"errors"
	"os"
	"os/exec"

	"github.com/saturnpod/saturn/networking"
)

// none gives the pod a namespace of its own with loopback only; it dies
// with the pod, so there is nothing to tear down.
//
// stage1 init makes the namespace as soon as it knows --net (ForRun), on
// a thread of its own, and starts the pod init in it: a new network
// namespace costs about 0.5 ms of kernel work (the setup of every
// per-namespace subsystem), which then runs beside the rest of stage1
// init's setup instead of inside the pod init's clone.
type none struct {
	made <-chan madeNetns // nil in a none from For: it cannot Start
}

type madeNetns struct {
	ns  *os.File
	err error
}

func (none) Teardown() error { return nil }

// makeNetns starts making the namespace and returns where it comes. If
// stage1 init fails before Start, the namespace goes when it exits.
func makeNetns() <-chan madeNetns {
	made := make(chan madeNetns, 1)
	go func() {
		ns, err := networking.NewNetns()
		made <- madeNetns{ns, err}
	}()
	return made
}

// Start starts the pod init in the namespace (networking.StartIn), which
// the pod init alone holds from then on.
func (n none) Start(cmd *exec.Cmd) error {
	if n.made == nil {
		return errors.New("network none: no namespace made (not from ForRun)")
	}
	m := <-n.made
	if m.err != nil {
		return m.err
	}
	defer m.ns.Close()
	return networking.StartIn(m.ns, cmd)
}
