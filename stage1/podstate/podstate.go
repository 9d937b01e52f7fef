// Package podstate names the files the default stage1 keeps in the pod
// directory and reads and writes them. Every path is relative to the pod
// directory, the working directory of every stage1 entrypoint.
//
// Besides the contract's files (pid, stage1/status/<app>, stage1/etc/ for
// a stage1 with a read-only root, which the default stage1 is), the
// default stage1 keeps its private state under stage1/state/: per-app host
// PIDs (what enter joins), the empty volumes, the pod cgroup's path (what
// gc removes) and the CNI networks (what gc tears down).
package podstate

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/saturnpod/saturn/internal/errdefs"
)

const (
	// PidFile holds the host PID of the pod init, the process enter joins.
	PidFile = "pid"
	// StatusDir holds each app's exit code. The default stage1's root is
	// read-only (saturn.io/stage1/rootfs=read-only): not rkt/status in it.
	StatusDir = "stage1/status"
	// EtcDir holds the DNS files stage0 writes for the apps
	// (rkt-resolv.conf, rkt-hosts), where a stage1 with a writable root
	// finds them in its etc/.
	EtcDir = "stage1/etc"
	// StateDir is the default stage1's private state.
	StateDir = "stage1/state"
	// CgroupFile records the pod cgroup's path (it depends on the cgroup
	// stage1 init started in, so gc cannot derive it).
	CgroupFile = StateDir + "/cgroup"
)

// StatusFile is where the app's exit code is recorded.
func StatusFile(app string) string { return filepath.Join(StatusDir, app) }

// AppDir is the app's private state dir.
func AppDir(app string) string { return filepath.Join(StateDir, "apps", app) }

// AppPidFile holds the host PID of the app's main process while it runs;
// it is empty once the app has ended.
func AppPidFile(app string) string { return filepath.Join(AppDir(app), "pid") }

// AppRootDir is where stage1-fly mounts the app's root. The default
// stage1 mounts each app's overlay on its overlay dir instead, in the
// app's own mount namespace.
func AppRootDir(app string) string { return filepath.Join(AppDir(app), "rootfs") }

// VolumeDir is the directory behind an empty volume; it lives as long as the pod dir.
func VolumeDir(name string) string { return filepath.Join(StateDir, "volumes", name) }

// WriteAtomic writes data to path through a temporary file and a rename,
// so a reader sees the old content or the new one, never a torn file.
func WriteAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// WriteInt atomically writes a decimal number and a newline.
func WriteInt(path string, n int) error {
	return WriteAtomic(path, []byte(strconv.Itoa(n)+"\n"))
}

// ClearInt empties a file WriteInt wrote: a PID whose process has ended.
// The file stays: on ext4 without a journal a deleted inode makes every
// inode allocation of the next minutes in its group step over it, and pod
// starts allocate dozens.
func ClearInt(path string) error { return os.Truncate(path, 0) }

// ReadInt reads a decimal number written by WriteInt (or by another
// stage1). A missing or empty file (ClearInt) is ErrNotFound.
func ReadInt(path string) (int, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) || (err == nil && len(b) == 0) {
		return 0, fmt.Errorf("%s: %w", path, errdefs.ErrNotFound)
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s: not a PID %q: %w", path, b, errdefs.ErrInvalid)
	}
	return n, nil
}

// AppExecFile holds how the app was exec'd (environment, working dir,
// confinement, cgroup), so enter gives its command exactly the same.
func AppExecFile(app string) string { return filepath.Join(AppDir(app), "exec.json") }

// PodInitPidFile holds the pod init's host PID from the moment it starts,
// before PidFile (which waits for the apps): stop uses it to stop a pod
// whose apps are still starting.
const PodInitPidFile = StateDir + "/pod-init.pid"

// NetFile records the pod's --net when it names CNI networks, so gc tears
// down the same networks; a pod without it has none to tear down.
const NetFile = StateDir + "/net"
