package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// OOMKilled reports whether the kernel OOM-killed a process of the app's
// cgroup. Ask before Remove: the counters go with the cgroup.
func (p *Pod) OOMKilled(app string) (bool, error) {
	d, ok := p.dir("memory")
	if !ok {
		return false, nil
	}
	d = filepath.Join(d, app)
	if p.Unified {
		v, _, err := readKeyed(d, "memory.events", "oom_kill")
		return v != "" && v != "0", err
	}
	// oom_kill is in memory.oom_control since Linux 4.13; before it,
	// under_oom is the best sign left.
	v, ok, err := readKeyed(d, "memory.oom_control", "oom_kill")
	if err != nil || ok {
		return v != "" && v != "0", err
	}
	v, _, err = readKeyed(d, "memory.oom_control", "under_oom")
	return v == "1", err
}

// Pids lists every process in the pod's cgroups, in any hierarchy, so gc
// can kill what a crashed stage1 left behind.
func (p *Pod) Pids() ([]int, error) {
	var pids []int
	for _, dir := range p.Dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed meanwhile, or never created
			}
			if err != nil || !d.IsDir() {
				return err
			}
			b, err := os.ReadFile(filepath.Join(path, "cgroup.procs"))
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			for _, f := range strings.Fields(string(b)) {
				pid, err := strconv.Atoi(f)
				if err != nil {
					return fmt.Errorf("cgroups: %s/cgroup.procs: %q: %w", path, f, errdefs.ErrInvalid)
				}
				pids = append(pids, pid)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("cgroups: list pids: %w", err)
		}
	}
	slices.Sort(pids)
	return slices.Compact(pids), nil
}

// Kill sends SIGKILL to every process of the pod until none is left or
// timeout passes; a process forking meanwhile is caught on the next round.
// On cgroup2 with cgroup.kill (Linux 5.14+) the kernel does it in one write,
// and the loop only waits for the processes to go.
func (p *Pod) Kill(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	if p.Unified {
		if err := writeIfExists(p.Dirs[""], "cgroup.kill", "1"); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	for {
		pids, err := p.Pids()
		if err != nil {
			return err
		}
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cgroups: %d processes left: %w", len(pids), errdefs.ErrBusy)
		}
		for _, pid := range pids {
			// ESRCH: gone already.
			_ = unix.Kill(pid, unix.SIGKILL)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// removeTries × removeWait bounds how long Remove waits for exited
// processes to leave their cgroups (the kernel lets go of a dead task a
// little after its parent reaped it).
const (
	removeTries = 50
	removeWait  = 10 * time.Millisecond
)

// Remove deletes the pod's cgroups, deepest first. It kills nothing: a
// cgroup still holding a process stays, and Remove says ErrBusy. Missing
// cgroups are fine, so Remove is idempotent and safe after any crash.
// The hierarchies are independent: they are removed at once, since the
// pod's exit waits for it.
func (p *Pod) Remove() error {
	errs := make(chan error, len(p.Dirs))
	for _, dir := range p.Dirs {
		go func() { errs <- removeTree(dir, removeTries) }()
	}
	var err error
	for range p.Dirs {
		err = errors.Join(err, <-errs)
	}
	return err
}

// RemoveNow is Remove without the wait: a cgroup that still holds a
// process stays, at once. stage1 init tries it as soon as the apps have
// ended, while the pod init exits, and calls Remove if it failed. It
// removes one hierarchy after the other, on the calling thread: threads
// of its own would crowd the exiting pod init off the CPUs, and the pod's
// exit waits for that exit too.
func (p *Pod) RemoveNow() error {
	var err error
	for _, dir := range p.Dirs {
		err = errors.Join(err, removeTree(dir, 0))
	}
	return err
}

// removeTree removes dir and the cgroups under it, each waiting up to
// tries × removeWait for its processes to leave. Most cgroups are leaves:
// each is tried at once, and listed only when it is busy, with cgroups
// or processes in it (v1 cgroup files make a listing cost more than the
// rmdir).
func removeTree(dir string, tries int) error {
	err := unix.Rmdir(dir)
	if err == nil || errors.Is(err, unix.ENOENT) {
		return nil
	}
	if !errors.Is(err, unix.EBUSY) && !errors.Is(err, unix.ENOTEMPTY) {
		return fmt.Errorf("cgroups: remove %s: %w", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cgroups: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() {
			if err := removeTree(filepath.Join(dir, e.Name()), tries); err != nil {
				return err
			}
		}
	}
	for i := 0; ; i++ {
		err := unix.Rmdir(dir)
		switch {
		case err == nil || errors.Is(err, unix.ENOENT):
			return nil
		case errors.Is(err, unix.EBUSY) && i < tries:
			time.Sleep(removeWait)
		case errors.Is(err, unix.EBUSY):
			return fmt.Errorf("cgroups: remove %s: %w: %w", dir, err, errdefs.ErrBusy)
		default:
			return fmt.Errorf("cgroups: remove %s: %w", dir, err)
		}
	}
}
