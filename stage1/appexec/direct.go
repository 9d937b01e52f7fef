package appexec

import (
	"fmt"
	"runtime"
	"syscall"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/cgroups"
	"github.com/saturnpod/saturn/stage1/isolation"
)

// Direct says whether an app can start without a helper (StartDirect):
// its confinement can be set on a thread (isolation.Config.Forkable), a
// thread can join its cgroup alone (cgroup v1, or none; on cgroup2 only
// a whole process moves), and no socket-activation sockets wait for it
// (LISTEN_PID must name the app, which only a process that execs in
// place knows before the exec).
func Direct(iso isolation.Config, cg *cgroups.Pod, sockets int) bool {
	return iso.Forkable() && (cg == nil || !cg.Unified) && sockets == 0
}

// StartDirect starts spec's program from the calling thread, with no
// helper process: the thread joins the app's cgroup, namespaces (ns, the
// mount namespace last) and working directory as the helper would, takes
// on the app's confinement (isolation.Config.ConfineThread), and fork
// forks and execs from it with attr, completed with the app's environment
// and credentials. The thread is spent: call StartDirect on a thread of
// package nsthread, and only for a spec that Direct allows.
//
// The program is found and exec'd from inside the app's root, as the
// helper does once it joined the app's mount namespace; what runs with
// stage1's privileges is the pod init's own code, never a file of the pod.
func StartDirect(spec *Spec, ns []int, attr *syscall.ProcAttr, fork func(argv0 string, argv []string, attr *syscall.ProcAttr) error) error {
	runtime.LockOSThread() // for good, as in nsthread
	if spec.Cgroup != nil && spec.Cgroup.Unified {
		// A cgroup2 move takes the whole process: the pod init's.
		return fmt.Errorf("app %s: a cgroup2 app cannot start without a helper: %w", spec.App, errdefs.ErrInvalid)
	}
	argv0, err := joinApp(spec, ns)
	if err != nil {
		return err
	}
	if err := spec.Isolation.ConfineThread(); err != nil {
		return err
	}
	a := *attr
	sys := syscall.SysProcAttr{}
	if attr.Sys != nil {
		sys = *attr.Sys
	}
	sys.Credential = spec.Isolation.Credential()
	a.Sys, a.Env = &sys, spec.Env
	return fork(argv0, spec.Argv, &a)
}
