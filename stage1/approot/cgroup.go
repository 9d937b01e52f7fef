package approot

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/stage1/inroot"
)

// CgroupDir is one of the app's cgroup directories on the host, shown to
// the app read-only under /sys/fs/cgroup, so it can read its own limits
// and usage and nothing of the host's tree.
type CgroupDir struct {
	Name string // controllers as /proc/self/cgroup lists them; "" for cgroup2
	Dir  string // the app's cgroup dir on the host
}

// mountCgroups puts a read-only tmpfs on /sys/fs/cgroup and binds each of
// the app's cgroup dirs in it: at /sys/fs/cgroup itself for cgroup2, else
// at /sys/fs/cgroup/<controllers> with a link per co-mounted controller.
func mountCgroups(root int, cgroups []CgroupDir) error {
	if len(cgroups) == 0 {
		return nil
	}
	const base = "/sys/fs/cgroup"
	if len(cgroups) == 1 && cgroups[0].Name == "" {
		return bindRO(root, cgroups[0].Dir, base)
	}
	if err := mountAt(root, base, "tmpfs", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "mode=755,size=64k"); err != nil {
		return err
	}
	dir, err := inroot.Open(root, base, unix.O_PATH|unix.O_DIRECTORY, 0, inroot.Strict)
	if err != nil {
		return err
	}
	defer unix.Close(dir)
	for _, cg := range cgroups {
		name := strings.TrimPrefix(cg.Name, "name=")
		if err := bindRO(root, cg.Dir, base+"/"+name); err != nil {
			return err
		}
		if parts := strings.Split(name, ","); len(parts) > 1 {
			for _, p := range parts {
				if err := unix.Symlinkat(name, dir, p); err != nil {
					return fmt.Errorf("cgroup link %s: %w", p, err)
				}
			}
		}
	}
	// The tmpfs itself read-only too, once its mountpoints are made.
	return unix.Mount("", inroot.FdPath(dir), "", unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "")
}

func bindRO(root int, source, target string) error {
	if err := bind(root, Mount{Source: source, Target: target, ReadOnly: true}); err != nil {
		return fmt.Errorf("cgroup %s: %w", target, err)
	}
	return nil
}
