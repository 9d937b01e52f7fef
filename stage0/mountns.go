package stage0

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage0/pod"
)

// stage1Mount is how stage0 mounts <pod>/stage1/rootfs before running an
// entrypoint: the stage1 tree as overlay lower dir with the pod's upper dir
// (run), or the tree bound read-only (enter, stop, gc, and run of a stage1
// with a read-only root).
type stage1Mount struct {
	podDir   string
	tree     string // rendered stage1 rootfs in the tree store
	writable bool
	apps     []appRoot // app roots to mount for a rkt stage1 (run only)
	// ready, if set, is waited for after the mounts, right before the
	// exec: work of the caller's that overlaps them (run's fsyncs).
	ready func() error
}

// enterPrivateMountNS moves the calling OS thread into a mount namespace
// of its own whose mounts never propagate back to the host. The caller has
// locked the goroutine to its thread and never unlocks it: the Go runtime
// then discards the thread with its namespace when the goroutine ends.
func enterPrivateMountNS() error {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("unshare mount namespace: %w", err)
	}
	// rslave: host mounts still appear here, ours never appear there.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
		return fmt.Errorf("make mounts rslave: %w", err)
	}
	return nil
}

// mount mounts the stage1 root, in the current (private) namespace.
func (m stage1Mount) mount() error {
	target := pod.Stage1RootfsPath(m.podDir)
	if !m.writable {
		if err := unix.Mount(m.tree, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("bind stage1 tree: %w", err)
		}
		flags := uintptr(unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV)
		if err := unix.Mount("", target, "", flags, ""); err != nil {
			return fmt.Errorf("make stage1 tree read-only: %w", err)
		}
		return nil
	}
	ov := pod.OverlayPath(m.podDir, "stage1")
	opts, err := overlayOpts(m.tree, filepath.Join(ov, "upper"), filepath.Join(ov, "work"))
	if err != nil {
		return err
	}
	if err := mountOverlay(target, opts); err != nil {
		return fmt.Errorf("mount stage1 overlay: %w", err)
	}
	return m.mountAppRoots()
}

// mountOverlay mounts a pod's overlay with "volatile": the kernel then
// skips every sync of the upper fs, above all the syncfs of the whole host
// filesystem when the pod's mount namespace goes away, which otherwise
// makes each pod's exit wait for a journal commit of whatever the host has
// dirty. The upper dirs hold one run's scratch state. What stage1 writes
// there (rkt/status/<app>) reaches the disk with normal writeback, so a
// host crash within seconds of a pod's exit may lose its exit codes; the
// pod is still exited and gc removes it. An fsync through a volatile
// overlay is a no-op: a stage1 that needs a file on disk before going on
// writes it outside stage1/rootfs (or fsyncs it in overlay/stage1/upper).
// Each overlay is mounted once per pod, so the work dir's volatile marker,
// which forbids mounting it again, never gets in the way.
func mountOverlay(target, opts string) error {
	err := unix.Mount("overlay", target, "overlay", 0, opts+",volatile")
	if errors.Is(err, unix.EINVAL) {
		// Kernels before 5.10 do not know volatile.
		err = unix.Mount("overlay", target, "overlay", 0, opts)
	}
	return err
}

// overlayOpts builds overlayfs mount options.
func overlayOpts(lower, upper, work string) (string, error) {
	for _, p := range []string{lower, upper, work} {
		// overlayfs splits its options on these; such a path cannot be passed.
		if strings.ContainsAny(p, ",:") {
			return "", fmt.Errorf("path %q has a ',' or ':' that overlayfs cannot take: %w", p, errdefs.ErrInvalid)
		}
	}
	return fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work), nil
}

// execEntrypoint replaces this process with a stage1 entrypoint, its root
// mounted in a private mount namespace and its working dir the pod dir.
// It returns only on error.
// keepFD (or -1) is the one fd besides stdio that stage1 inherits.
func execEntrypoint(m stage1Mount, entry string, args, env []string, keepFD int) error {
	runtime.LockOSThread() // never unlocked: see enterPrivateMountNS
	if err := enterPrivateMountNS(); err != nil {
		return err
	}
	if err := m.mount(); err != nil {
		return err
	}
	if err := unix.Chdir(m.podDir); err != nil {
		return fmt.Errorf("chdir to pod: %w", err)
	}
	if m.ready != nil {
		if err := m.ready(); err != nil {
			return err
		}
	}
	if err := closeOnExecAll(keepFD); err != nil {
		return err
	}
	path := filepath.Join(pod.Stage1RootfsPath(m.podDir), entry)
	if err := unix.Exec(path, append([]string{path}, args...), env); err != nil {
		return fmt.Errorf("exec stage1 %s: %w", entry, err)
	}
	return nil
}

// runEntrypoint runs a stage1 entrypoint as a child, its root mounted in a
// private mount namespace that the child inherits from the thread that
// forks it, and waits for it.
func runEntrypoint(m stage1Mount, entry string, args []string) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: see enterPrivateMountNS
		if err := enterPrivateMountNS(); err != nil {
			errc <- err
			return
		}
		if err := m.mount(); err != nil {
			errc <- err
			return
		}
		if err := closeOnExecAll(-1); err != nil {
			errc <- err
			return
		}
		path := filepath.Join(pod.Stage1RootfsPath(m.podDir), entry)
		cmd := exec.Command(path, args...)
		cmd.Dir = m.podDir
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			errc <- fmt.Errorf("stage1 %s: %w", filepath.Base(entry), err)
			return
		}
		errc <- nil
	}()
	return <-errc
}

// mkdirs creates each directory, parents listed first, with mode 0755; one
// that exists is fine. On the run path this replaces MkdirAll, which stats
// every parent of every path before creating it.
func mkdirs(paths ...string) error {
	for _, p := range paths {
		if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
	}
	return nil
}
