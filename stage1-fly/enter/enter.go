// Package enter is stage1-fly's enter entrypoint: it runs a command in the
// fly app's mount namespace and root, as the app's user, with the app's
// environment, working directory and confinement, by exec in place, so its
// exit code is the command's. The app shares the host's other namespaces,
// and so does enter already.
package enter

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1-fly/flystate"
	"github.com/saturnpod/saturn/stage1/appexec"
)

// Main runs enter with its arguments: --pid=N --appname=A -- CMD [ARGS...].
// It returns only on error.
func Main(args []string) int {
	err := run(args)
	fmt.Fprintln(os.Stderr, "saturn stage1-fly enter:", err)
	return 254
}

func run(args []string) error {
	// Never unlocked: the namespace, root and confinement are this thread's.
	runtime.LockOSThread()
	fs := flag.NewFlagSet("enter", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	pid := fs.Int("pid", 0, "")
	app := fs.String("appname", "", "")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", err, errdefs.ErrInvalid)
	}
	cmd := fs.Args()
	if len(cmd) == 0 {
		cmd = []string{"/bin/sh"}
	}
	st, err := flystate.Read()
	if err != nil {
		return err
	}
	if *app != "" && *app != st.App {
		return fmt.Errorf("app %q: the pod's app is %s: %w", *app, st.App, errdefs.ErrNotFound)
	}
	if !st.HoldsPod(*pid) {
		return fmt.Errorf("pid %d is not this pod's app (it ended?): %w", *pid, errdefs.ErrWrongState)
	}
	if err := join(*pid); err != nil {
		return err
	}
	spec := st.Exec
	if err := unix.Chdir(spec.Dir); err != nil {
		return fmt.Errorf("working directory %s: %w: %w", spec.Dir, err, errdefs.ErrNotFound)
	}
	argv0, err := appexec.LookPath(cmd[0], spec.Env)
	if err != nil {
		return err
	}
	return spec.Isolation.Exec(argv0, cmd, spec.Env)
}

// join moves the calling thread into the app's mount namespace and root.
// The root is opened through the host's /proc before the setns, so no path
// inside the app's namespace decides where enter lands: it is the root the
// app has, the one run chrooted it into.
func join(pid int) error {
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return fmt.Errorf("unshare fs: %w", err)
	}
	ns, err := unix.Open(fmt.Sprintf("/proc/%d/ns/mnt", pid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("app mount namespace: %w", err)
	}
	defer unix.Close(ns)
	root, err := unix.Open(fmt.Sprintf("/proc/%d/root", pid), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("app root: %w", err)
	}
	defer unix.Close(root)
	if err := unix.Setns(ns, unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("join app mount namespace: %w", err)
	}
	if err := unix.Fchdir(root); err != nil {
		return fmt.Errorf("app root: %w", err)
	}
	if err := unix.Chroot("."); err != nil {
		return fmt.Errorf("chroot into app root: %w", err)
	}
	return nil
}
