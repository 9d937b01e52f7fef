package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// checkPod verifies the pod dir stage0 prepared, from inside it (the
// working directory of every entrypoint).
func checkPod(uuid string) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	if filepath.Base(wd) != uuid || filepath.Base(filepath.Dir(wd)) != "run" {
		return fmt.Errorf("working dir %s is not pods/run/%s", wd, uuid)
	}
	pm, err := readManifest()
	if err != nil {
		return err
	}
	for _, a := range pm.Apps {
		info := filepath.Join("appsinfo", a.Name)
		for _, f := range []string{"manifest", "treeStoreID", "lowerdir"} {
			if _, err := os.Stat(filepath.Join(info, f)); err != nil {
				return fmt.Errorf("app %s: %w", a.Name, err)
			}
		}
		lower, _ := os.ReadFile(filepath.Join(info, "lowerdir"))
		if fi, err := os.Stat(string(lower)); err != nil || !fi.IsDir() {
			return fmt.Errorf("app %s: lowerdir %q is not a directory", a.Name, lower)
		}
		for _, d := range []string{"upper", "work"} {
			if _, err := os.Stat(filepath.Join("overlay", a.Name, d)); err != nil {
				return fmt.Errorf("app %s: %w", a.Name, err)
			}
		}
		// Like a stage1 built for rkt, the stub finds each app in its own
		// root, at opt/stage2/<app> (the stub test app has /bin/app).
		stage2 := filepath.Join("stage1", "rootfs", "opt", "stage2", a.Name)
		for _, f := range []string{"manifest", "rootfs/bin/app"} {
			if _, err := os.Stat(filepath.Join(stage2, f)); err != nil {
				return fmt.Errorf("app %s: rkt app root: %w", a.Name, err)
			}
		}
	}
	// The stage1 root must be an overlay mounted in our namespace only.
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	root := filepath.Join(wd, "stage1", "rootfs")
	for _, l := range strings.Split(string(mi), "\n") {
		f := strings.Fields(l)
		if len(f) > 4 && f[4] == root && strings.Contains(l, " - overlay ") {
			return nil
		}
	}
	return fmt.Errorf("stage1 root %s is not an overlay mount", root)
}

// checkLockFD verifies RKT_LOCK_FD is the pod dir, locked by us.
func checkLockFD() error {
	fd, err := strconv.Atoi(os.Getenv("RKT_LOCK_FD"))
	if err != nil {
		return fmt.Errorf("RKT_LOCK_FD: %w", err)
	}
	var a, b syscall.Stat_t
	if err := syscall.Fstat(fd, &a); err != nil {
		return fmt.Errorf("RKT_LOCK_FD %d: %w", fd, err)
	}
	if err := syscall.Stat(".", &b); err != nil || a.Ino != b.Ino || a.Dev != b.Dev {
		return fmt.Errorf("RKT_LOCK_FD %d is not the pod dir", fd)
	}
	// A second open file description must find the lock held.
	probe, err := syscall.Open(".", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(probe)
	if err := syscall.Flock(probe, syscall.LOCK_SH|syscall.LOCK_NB); err == nil {
		return fmt.Errorf("pod dir is not locked")
	}
	return nil
}

// checkFDs verifies that only stdio and the lock fd reached stage1: an fd
// that survived exec has no close-on-exec flag, while the stub's own Go
// runtime opens its files (a cgroup file, for GOMAXPROCS) close-on-exec.
func checkFDs() error {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return err
	}
	lock := os.Getenv("RKT_LOCK_FD")
	for _, n := range names {
		if n == "0" || n == "1" || n == "2" || n == lock || n == strconv.Itoa(int(d.Fd())) {
			continue
		}
		info, err := os.ReadFile(filepath.Join("/proc/self/fdinfo", n))
		if err != nil {
			continue // closed meanwhile
		}
		if cloexec(string(info)) {
			continue
		}
		target, _ := os.Readlink(filepath.Join("/proc/self/fd", n))
		return fmt.Errorf("fd %s (%s) leaked into stage1", n, target)
	}
	return nil
}

// cloexec reads the O_CLOEXEC bit from an fdinfo's octal flags line.
func cloexec(fdinfo string) bool {
	for _, l := range strings.Split(fdinfo, "\n") {
		if v, ok := strings.CutPrefix(l, "flags:"); ok {
			f, err := strconv.ParseUint(strings.TrimSpace(v), 8, 64)
			return err == nil && f&syscall.O_CLOEXEC != 0
		}
	}
	return false
}
