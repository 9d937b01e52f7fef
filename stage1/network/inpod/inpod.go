// Package inpod is the pod init's side of package network: the wait for
// the CNI networks, which stage1 init asks for in the pod init's
// environment (WaitOn), so that the pod init needs neither the --net flag
// nor the CNI code (package networking and the plugins' libraries): its
// binary stays small, and it starts the sooner.
package inpod

import (
	"fmt"
	"os"
	"os/exec"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/envfd"
)

// readyEnv, set by stage1 init in the pod init's environment, names the
// fd on which stage1 init writes one byte once the CNI networks are up.
const readyEnv = "SATURN_NETWORK_READY_FD"

// WaitOn makes the pod init (cmd, not started yet) wait until a byte
// arrives on ready, the read end of a pipe whose write end stage1 init
// keeps; EOF says the network setup failed. cmd gets ready as an extra
// file: the caller closes its copy once cmd has started.
func WaitOn(cmd *exec.Cmd, ready *os.File) { envfd.Pass(cmd, readyEnv, ready) }

// Ready waits, in the pod init, until the CNI networks are up if stage1
// init asked for it (WaitOn); it does nothing for other pods. It runs
// before any app starts.
func Ready() error {
	fd, ok, err := envfd.Take(readyEnv)
	if !ok || err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), "network-ready")
	defer f.Close()
	var b [1]byte
	if n, _ := f.Read(b[:]); n != 1 {
		return fmt.Errorf("pod network setup failed (see stage1 init's error): %w", errdefs.ErrWrongState)
	}
	return nil
}
