// Package gc is stage1-fly's gc entrypoint. fly allocates nothing outside
// the pod dir: no cgroup, no network, and no mount in the host's mount
// table (the app's mounts lived in its own namespace and went with it). So
// gc only removes the state run left. stage0 calls it only once the pod
// lock is free, that is once the app (which holds it) is gone. It is
// idempotent, and correct after the app was killed at any point.
package gc

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/podstate"
)

// Main runs gc with its arguments: [--debug] UUID.
func Main(args []string) int {
	if err := run(args); err != nil {
		fmt.Fprintln(os.Stderr, "saturn stage1-fly gc:", err)
		return 254
	}
	return 0
}

func run(args []string) error {
	fs := flag.NewFlagSet("gc", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	debug := fs.Bool("debug", false, "")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", err, errdefs.ErrInvalid)
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	// The record, the empty volumes and the root's mountpoint dir. stage0
	// removes the pod dir itself after gc.
	log.Debug("remove fly state", "dir", podstate.StateDir)
	if err := os.RemoveAll(podstate.StateDir); err != nil {
		return fmt.Errorf("remove %s: %w", podstate.StateDir, err)
	}
	return nil
}
