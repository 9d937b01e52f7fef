// Package gc is the gc entrypoint: it undoes what run set up, after a
// clean exit, a crash of stage1 at any point, or a reboot. Every step is
// idempotent: a missing cgroup or mount is simply done.
package gc

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/cgroups"
	"github.com/saturnpod/saturn/stage1/network"
	"github.com/saturnpod/saturn/stage1/podstate"
)

// killWait bounds the wait for a crashed pod's leftover processes to die.
const killWait = 5 * time.Second

// Main runs gc with its arguments: [--debug] UUID.
func Main(args []string) int {
	if err := run(args); err != nil {
		fmt.Fprintln(os.Stderr, "saturn gc:", err)
		return 254
	}
	return 0
}

func run(args []string) error {
	fs := flag.NewFlagSet("gc", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Bool("debug", false, "")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", err, errdefs.ErrInvalid)
	}
	return errors.Join(removeCgroup(), unmountUnder(), teardownNetwork())
}

// removeCgroup kills whatever a crashed stage1 left in the pod cgroup and
// removes it.
func removeCgroup() error {
	b, err := os.ReadFile(podstate.CgroupFile)
	if os.IsNotExist(err) {
		return nil // never made (or an older gc finished)
	}
	if err != nil {
		return err
	}
	var cg cgroups.Pod
	if err := json.Unmarshal(b, &cg); err != nil {
		return fmt.Errorf("%s: %w: %w", podstate.CgroupFile, err, errdefs.ErrInvalid)
	}
	if err := cg.Kill(killWait); err != nil {
		return err
	}
	return cg.Remove()
}

func teardownNetwork() error {
	b, err := os.ReadFile(podstate.NetFile)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	nw, err := network.For(strings.TrimSpace(string(b)))
	if err != nil {
		return err
	}
	return nw.Teardown()
}

// unmountUnder detaches every mount below the pod dir but the stage1 root
// stage0 mounted for this gc. stage1 mounts only in the pod's private
// namespaces, which vanish with the pod; this catches any mount that a
// buggy or older stage0 or stage1 left in gc's namespace.
func unmountUnder() error {
	dir, err := os.Getwd()
	if err != nil {
		return err
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	defer f.Close()
	keep := filepath.Join(dir, "stage1/rootfs")
	var targets []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := cgroups.UnescapeMountinfo(fields[4])
		if strings.HasPrefix(mp, dir+"/") && mp != keep {
			targets = append(targets, mp)
		}
	}
	// Deepest first, so a parent is never busy with a child mount.
	sort.Slice(targets, func(i, j int) bool { return len(targets[i]) > len(targets[j]) })
	var errs []error
	for _, t := range targets {
		if err := unix.Unmount(t, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			errs = append(errs, fmt.Errorf("unmount %s: %w", t, err))
		}
	}
	return errors.Join(errs...)
}
