package cgroups

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// writeFile writes one cgroup control file. O_CREATE makes no difference on
// cgroupfs (a missing control file is EACCES either way) and lets the v2
// writers be tested against a plain directory.
func writeFile(dir, name, val string) error {
	p := filepath.Join(dir, name)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("cgroups: %w", err)
	}
	_, err = f.WriteString(val)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cgroups: write %q to %s: %w", val, p, err)
	}
	return nil
}

// writeIfExists writes a control file only kernels with the feature have
// (memory.memsw.* needs swap accounting, memory.swap.max a swap controller).
func writeIfExists(dir, name, val string) error {
	if _, err := os.Stat(filepath.Join(dir, name)); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return writeFile(dir, name, val)
}

func readFile(dir, name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return "", fmt.Errorf("cgroups: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// copyCpuset gives a new v1 cpuset cgroup its parent's cpus and mems.
func copyCpuset(parent, child string) error {
	for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
		v, err := readFile(parent, f)
		if err != nil {
			return err
		}
		if err := writeFile(child, f, v); err != nil {
			return err
		}
	}
	return nil
}

// enableV2 enables v2Controllers in the parent of the pod cgroup and in the
// pod cgroup, as far as the parent has them.
func enableV2(pod string) error {
	parent := filepath.Dir(pod)
	avail, err := readFile(parent, "cgroup.controllers")
	if err != nil {
		return err
	}
	enabled, err := readFile(parent, "cgroup.subtree_control")
	if err != nil {
		return err
	}
	var add, all []string
	for _, c := range v2Controllers {
		if !hasWord(avail, c) {
			continue
		}
		all = append(all, "+"+c)
		if !hasWord(enabled, c) {
			add = append(add, "+"+c)
		}
	}
	if len(add) > 0 {
		if err := writeFile(parent, "cgroup.subtree_control", strings.Join(add, " ")); err != nil {
			if errors.Is(err, unix.EBUSY) {
				return fmt.Errorf("%w: %w (the parent cgroup holds other processes: run under a delegated unit)", err, errdefs.ErrBusy)
			}
			return err
		}
	}
	if len(all) == 0 {
		return nil
	}
	return writeFile(pod, "cgroup.subtree_control", strings.Join(all, " "))
}

func hasWord(s, w string) bool {
	for _, f := range strings.Fields(s) {
		if f == w {
			return true
		}
	}
	return false
}

// readKeyed returns the value of key in a "key value" per line file
// (memory.events, memory.oom_control), and whether the key was there.
func readKeyed(dir, name, key string) (string, bool, error) {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return "", false, fmt.Errorf("cgroups: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if ok && k == key {
			return strings.TrimSpace(v), true, nil
		}
	}
	return "", false, sc.Err()
}
