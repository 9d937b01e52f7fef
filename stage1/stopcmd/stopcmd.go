// Package stopcmd holds what the stop entrypoints of both stage1 flavors
// (packages stage1/stop and stage1-fly/stop) share: parsing [--force] UUID,
// reporting a failure, and waiting on a pidfd until its process ends. It
// is kept small so that stage1-fly links nothing else of the default stage1.
package stopcmd

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Main is a stop entrypoint: it parses [--force] UUID, runs stop with
// force, and reports an error as prefix: error, exit status 254.
func Main(prefix string, args []string, stop func(force bool) error) int {
	err := func() error {
		fs := flag.NewFlagSet("stop", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		force := fs.Bool("force", false, "")
		if err := fs.Parse(args); err != nil {
			return fmt.Errorf("%w: %w", err, errdefs.ErrInvalid)
		}
		return stop(*force)
	}()
	if err != nil {
		fmt.Fprintln(os.Stderr, prefix+":", err)
		return 254
	}
	return 0
}

// WaitExit waits until the pidfd's process has ended, or fails with
// what: errdefs.ErrBusy at deadline.
func WaitExit(pidfd int, deadline time.Time, what string) error {
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("%s: %w", what, errdefs.ErrBusy)
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
