// Package enter is the enter entrypoint: it runs a command inside a
// running app, in the app's namespaces, root and cgroup, and with the
// app's own user, capabilities, no_new_privs and seccomp filter (never
// more than the app has), and exits with the command's exit code.
package enter

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/appexec"
	"github.com/saturnpod/saturn/stage1/nsthread"
	"github.com/saturnpod/saturn/stage1/podstate"
	"github.com/saturnpod/saturn/stage1/reaper"
)

// Main runs enter with its arguments: --pid=N --appname=A -- CMD [ARGS...].
func Main(args []string) int {
	code, err := run(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "saturn enter:", err)
		return 254
	}
	return code
}

func run(args []string) (int, error) {
	fs := flag.NewFlagSet("enter", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	podPid := fs.Int("pid", 0, "")
	app := fs.String("appname", "", "")
	if err := fs.Parse(args); err != nil {
		return 0, fmt.Errorf("%w: %w", err, errdefs.ErrInvalid)
	}
	cmd := fs.Args()
	if len(cmd) == 0 {
		cmd = []string{"/bin/sh"}
	}
	if *app == "" {
		var err error
		if *app, err = onlyApp(); err != nil {
			return 0, err
		}
	}
	spec, appPid, err := find(*podPid, *app)
	if err != nil {
		return 0, err
	}
	spec.Argv = cmd
	return execIn(spec, appPid)
}

// onlyApp names the pod's app when it has just one.
func onlyApp() (string, error) {
	ents, err := os.ReadDir(filepath.Join(podstate.StateDir, "apps"))
	if err != nil || len(ents) != 1 {
		return "", fmt.Errorf("the pod has several apps (or none running): --appname is required: %w", errdefs.ErrInvalid)
	}
	return ents[0].Name(), nil
}

// find reads how the app was exec'd and checks that its PID still is a
// process of the pod (a stale PID file must not lead elsewhere).
func find(podPid int, app string) (*appexec.Spec, int, error) {
	b, err := os.ReadFile(podstate.AppExecFile(app))
	if err != nil {
		return nil, 0, fmt.Errorf("app %s: %w", app, errdefs.ErrNotFound)
	}
	var spec appexec.Spec
	if err := json.Unmarshal(b, &spec); err != nil {
		return nil, 0, fmt.Errorf("app %s exec record: %w: %w", app, err, errdefs.ErrInvalid)
	}
	appPid, err := podstate.ReadInt(podstate.AppPidFile(app))
	if err != nil {
		return nil, 0, fmt.Errorf("app %s is not running: %w", app, errdefs.ErrWrongState)
	}
	same, err := sameNS(podPid, appPid, "pid")
	if err != nil || !same {
		return nil, 0, fmt.Errorf("app %s (pid %d) is not in pod init %d's PID namespace: %w", app, appPid, podPid, errdefs.ErrWrongState)
	}
	return &spec, appPid, nil
}

func sameNS(a, b int, ns string) (bool, error) {
	var sa, sb unix.Stat_t
	if err := unix.Stat(fmt.Sprintf("/proc/%d/ns/%s", a, ns), &sa); err != nil {
		return false, err
	}
	if err := unix.Stat(fmt.Sprintf("/proc/%d/ns/%s", b, ns), &sb); err != nil {
		return false, err
	}
	return sa.Dev == sb.Dev && sa.Ino == sb.Ino, nil
}

// execIn starts the exec helper in the app's PID namespace (forked from a
// thread that joined it) and has it join the app's other namespaces; the
// mount namespace comes last, so the helper binary is found in stage1's
// root, never in the app's.
func execIn(spec *appexec.Spec, appPid int) (int, error) {
	ns, err := nsthread.OpenNS(appPid, "uts", "ipc", "net", "cgroup", "mnt")
	if err != nil {
		return 0, err
	}
	defer nsthread.CloseAll(ns)
	pidns, err := nsthread.OpenNS(appPid, "pid")
	if err != nil {
		return 0, err
	}
	defer nsthread.CloseAll(pidns)
	spec.NewCgroupNS = false
	ws, err := appexec.RunHelper(spec, ns, func(files []uintptr) (pid int, err error) {
		err = nsthread.Run(func() error {
			if err := nsthread.Join(pidns...); err != nil {
				return err
			}
			pid, err = syscall.ForkExec("/proc/self/exe", []string{appexec.Name}, &syscall.ProcAttr{Files: files})
			return err
		})
		return pid, err
	})
	if err != nil {
		return 0, err
	}
	return reaper.ExitCode(ws), nil
}
