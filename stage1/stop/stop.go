// Package stop is the stop entrypoint: it asks stage1 init to stop the
// apps (SIGTERM, a grace period, SIGKILL; post-stop handlers run) or, with
// --force, to kill them at once, and waits until the pod has ended.
//
// It signals stage1 init, never the pod init: the pod init takes no signal
// (an app could send it one), stage1 init relays the request over the pod's
// control channel (package podctl). If a forced stop gets no answer, stop
// kills the pod init, and with it the whole PID namespace.
package stop

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/podctl"
	"github.com/saturnpod/saturn/stage1/podinit"
	"github.com/saturnpod/saturn/stage1/podstate"
	"github.com/saturnpod/saturn/stage1/stopcmd"
)

// forceWait is how long a forced stop waits before it kills the pod init
// itself (and with it the whole PID namespace).
const forceWait = 5 * time.Second

// Main runs stop with its arguments: [--force] UUID.
func Main(args []string) int { return stopcmd.Main("saturn stop", args, run) }

func run(force bool) error {
	pidfd, err := openInit(podctl.InitPidFile)
	if err != nil || pidfd < 0 {
		return err // no stage1 init: nothing runs
	}
	defer unix.Close(pidfd)
	if !force {
		return signalAndWait(pidfd, unix.SIGTERM, podinit.Grace+forceWait)
	}
	if err := signalAndWait(pidfd, podctl.ForceSignal, forceWait); err == nil {
		return nil
	}
	// No answer: kill the pod init; stage1 init then ends and cleans up.
	if podInit, err := openInit(podstate.PodInitPidFile); err == nil && podInit >= 0 {
		unix.PidfdSendSignal(podInit, unix.SIGKILL, nil, 0)
		unix.Close(podInit)
	}
	return signalAndWait(pidfd, 0, forceWait)
}

// openInit opens a pidfd of the process a pid file names, if it still runs
// in this pod dir; -1 when it does not.
func openInit(pidFile string) (int, error) {
	pid, err := podstate.ReadInt(pidFile)
	if errors.Is(err, errdefs.ErrNotFound) {
		return -1, nil
	}
	if err != nil {
		return -1, err
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return -1, nil // ended already
	}
	if err != nil {
		return -1, fmt.Errorf("pidfd_open %d: %w", pid, err)
	}
	if !isPodInit(pid) {
		unix.Close(pidfd)
		return -1, nil // a stale pid file: the PID is someone else's now
	}
	return pidfd, nil
}

// isPodInit checks that pid works in this pod dir: the working directory
// of stage1 init and of the pod init is the pod dir.
func isPodInit(pid int) bool {
	var a, b unix.Stat_t
	if unix.Stat(fmt.Sprintf("/proc/%d/cwd", pid), &a) != nil || unix.Stat(".", &b) != nil {
		return false
	}
	return a.Dev == b.Dev && a.Ino == b.Ino
}

func signalAndWait(pidfd int, sig unix.Signal, timeout time.Duration) error {
	if err := unix.PidfdSendSignal(pidfd, sig, nil, 0); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("signal pod init: %w", err)
	}
	return stopcmd.WaitExit(pidfd, time.Now().Add(timeout), fmt.Sprintf("pod still running after %v", timeout))
}
