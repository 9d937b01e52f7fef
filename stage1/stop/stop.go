// Package stop is the stop entrypoint: it asks the pod init to stop the
// apps (SIGTERM, a grace period, SIGKILL; post-stop handlers run) or, with
// --force, to kill them at once, and waits until the pod has ended.
package stop

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/podinit"
	"github.com/saturnpod/saturn/stage1/podstate"
)

// forceWait is how long a forced stop waits before it kills the pod init
// itself (and with it the whole PID namespace).
const forceWait = 5 * time.Second

// Main runs stop with its arguments: [--force] UUID.
func Main(args []string) int {
	if err := run(args); err != nil {
		fmt.Fprintln(os.Stderr, "saturn stop:", err)
		return 254
	}
	return 0
}

func run(args []string) error {
	fs := flag.NewFlagSet("stop", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	force := fs.Bool("force", false, "")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", err, errdefs.ErrInvalid)
	}
	pid, err := podstate.ReadInt(podstate.PidFile)
	if errors.Is(err, errdefs.ErrNotFound) {
		// Apps still starting: the pod init stops them as they come.
		pid, err = podstate.ReadInt(podstate.PodInitPidFile)
	}
	if errors.Is(err, errdefs.ErrNotFound) {
		return nil // never started: nothing runs
	}
	if err != nil {
		return err
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return nil // ended already
	}
	if err != nil {
		return fmt.Errorf("pidfd_open %d: %w", pid, err)
	}
	defer unix.Close(pidfd)
	if !isPodInit(pid) {
		return nil // a stale pid file: the PID is someone else's now
	}
	if !*force {
		return signalAndWait(pidfd, unix.SIGTERM, podinit.Grace+forceWait)
	}
	if err := signalAndWait(pidfd, podinit.ForceSignal, forceWait); err == nil {
		return nil
	}
	return signalAndWait(pidfd, unix.SIGKILL, forceWait)
}

// isPodInit checks that pid works in this pod dir: the pod init's working
// directory is the pod dir.
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
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("pod still running after %v: %w", timeout, errdefs.ErrBusy)
		}
		n, err := unix.Poll(fds, int(left.Milliseconds())+1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
	}
}
