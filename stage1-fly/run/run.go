// Package run is stage1-fly's run entrypoint. stage0 execs it, and it
// execs the pod's one app in place: the app keeps stage0's PID (under
// systemd, the unit's main process), holds the pod lock for as long as it
// lives, and its exit code is the pod's. Before that exec, on the one
// thread that execs, it builds the app's root in a private mount namespace
// (package flyroot), chroots into it, resolves the app's user, environment
// and working directory and runs its pre-start handlers, all with the
// default stage1's code.
//
// The pod shares the host's network, PID, IPC and UTS namespaces and the
// caller's cgroup: fly is for host services, and it is no security
// boundary (a root app with the caller's capabilities can leave a chroot).
package run

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/appc/spec/schema"
	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1-fly/flyroot"
	"github.com/saturnpod/saturn/stage1-fly/flystate"
	"github.com/saturnpod/saturn/stage1/appcspec"
	"github.com/saturnpod/saturn/stage1/appexec"
	"github.com/saturnpod/saturn/stage1/appproc"
	"github.com/saturnpod/saturn/stage1/approot"
	"github.com/saturnpod/saturn/stage1/podcfg"
	"github.com/saturnpod/saturn/stage1/podstate"
)

// Main runs the entrypoint. It returns only when the app could not be
// exec'd: a runtime error, exit code 254.
func Main(args []string) int {
	err := run(args)
	fmt.Fprintln(os.Stderr, "saturn stage1-fly:", err)
	return 254
}

func run(args []string) error {
	// Never unlocked: the mount namespace, the root and the confinement
	// are this thread's, and the exec happens from it.
	runtime.LockOSThread()
	flags, err := podcfg.ParseRun(args)
	if err != nil {
		return err
	}
	log := logger(flags.Debug)
	lock, err := lockFD()
	if err != nil {
		return err
	}
	// Nothing stage0 left open reaches the pre-start handlers or the app;
	// the lock is made inheritable again just before the exec.
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return fmt.Errorf("close_range: %w", err)
	}
	pm, err := appcspec.ReadManifest()
	if err != nil {
		return err
	}
	ra, err := oneApp(pm)
	if err != nil {
		return err
	}
	if err := checkFlags(flags); err != nil {
		return err
	}
	warnUnsupported(ra, flags)
	name := ra.Name.String()
	rs, err := rootSpec(pm, ra, name, flags)
	if err != nil {
		return err
	}
	log.Debug("build app root", "app", name, "root", rs.Root, "lower", rs.Lower, "volumes", len(rs.Mounts))
	if err := flyroot.Setup(rs); err != nil {
		return err
	}
	if err := flyroot.Chroot(rs.Root); err != nil {
		return err
	}
	// The thread's root is the app's now: users, groups and the working
	// dir are looked up in the image.
	proc, err := appproc.Resolve(appcspec.Proc(ra.App), name)
	if err != nil {
		return err
	}
	iso, err := confinement(ra, flags, proc)
	if err != nil {
		return err
	}
	spec := appexec.Spec{Argv: proc.Argv, Env: proc.Env, Dir: proc.Dir, Isolation: iso, App: name}
	if err := flystate.Write(&flystate.State{App: name, LockFD: lock, Exec: spec}); err != nil {
		return err
	}
	if err := setStdin(flags.Interactive); err != nil {
		return err
	}
	if err := preStart(ra, &spec); err != nil {
		return err
	}
	log.Debug("exec app in place", "app", name, "argv", spec.Argv, "uid", iso.UID, "bounding", iso.Bounding.String())
	return execApp(&spec, lock)
}

// execApp writes the pid file (this process is the app from now on), leaves
// the pod dir for the app's working dir, and execs the app.
func execApp(spec *appexec.Spec, lock int) error {
	if err := podstate.WriteInt(podstate.PidFile, os.Getpid()); err != nil {
		return err
	}
	if err := unix.Chdir(spec.Dir); err != nil {
		return fmt.Errorf("working directory %s: %w: %w", spec.Dir, err, errdefs.ErrNotFound)
	}
	ownProcessGroup()
	if _, err := unix.FcntlInt(uintptr(lock), unix.F_SETFD, 0); err != nil {
		return fmt.Errorf("keep pod lock across exec: %w", err)
	}
	return spec.Isolation.Exec(spec.Argv[0], spec.Argv, spec.Env)
}

// oneApp is the pod's app: fly runs exactly one.
func oneApp(pm *schema.PodManifest) (*schema.RuntimeApp, error) {
	if len(pm.Apps) != 1 {
		names := make([]string, len(pm.Apps))
		for i, ra := range pm.Apps {
			names[i] = ra.Name.String()
		}
		return nil, fmt.Errorf("stage1-fly runs exactly one app per pod, this pod has %d (%s): run each in a pod of its own: %w",
			len(pm.Apps), strings.Join(names, ", "), errdefs.ErrInvalid)
	}
	return &pm.Apps[0], nil
}

func rootSpec(pm *schema.PodManifest, ra *schema.RuntimeApp, name string, flags *podcfg.RunFlags) (*approot.Spec, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	lower, err := os.ReadFile(filepath.Join("appsinfo", name, "lowerdir"))
	if err != nil {
		return nil, fmt.Errorf("app tree: %w", err)
	}
	vols, err := appcspec.EmptyVolumes(pm)
	if err != nil {
		return nil, err
	}
	if err := approot.MakeEmptyVolumes(vols); err != nil {
		return nil, err
	}
	mounts, err := appcspec.Mounts(pm, ra, func(vol string) string { return filepath.Join(dir, podstate.VolumeDir(vol)) })
	if err != nil {
		return nil, err
	}
	// The host's UTS namespace: a generated /etc/hosts names the host.
	hostname, err := os.Hostname()
	if err != nil {
		return nil, err
	}
	ov := filepath.Join(dir, "overlay", name)
	return &approot.Spec{
		Root:     filepath.Join(dir, podstate.AppRootDir(name)),
		Lower:    strings.TrimSpace(string(lower)),
		Upper:    filepath.Join(ov, "upper"),
		Work:     filepath.Join(ov, "work"),
		Hostname: hostname,
		DNS:      flags.DNS,
		DNSDir:   filepath.Join(dir, "stage1/rootfs/etc"),
		Mounts:   mounts,
	}, nil
}

func logger(debug bool) *slog.Logger {
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}
