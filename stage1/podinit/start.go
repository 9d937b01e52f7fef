package podinit

import (
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/stage1/appexec"
	"github.com/saturnpod/saturn/stage1/isolation"
	"github.com/saturnpod/saturn/stage1/nsthread"
	"github.com/saturnpod/saturn/stage1/sdactivation"
)

// starter starts an app's main process in one of two ways. Through an
// exec helper (package appexec), spawned before the app's root is built so
// that its start-up overlaps the build; or, when the app's confinement
// allows it (appexec.Direct), straight from a thread of the pod init that
// joins the app and takes on its confinement, then forks the app: one Go
// process start less per app, which is most of what starting the app
// costs.
type starter struct {
	p      *pod
	stdio  [3]uintptr
	helper *helper // nil: direct
}

// newStarter readies the start of app's main process with stdio (and its
// socket-activation sockets).
func (p *pod) newStarter(app string, stdio [3]uintptr, iso isolation.Config) (*starter, error) {
	s := &starter{p: p, stdio: stdio}
	if appexec.Direct(iso, p.cgroup, len(p.appSockets(app, true))) {
		return s, nil
	}
	var err error
	s.helper, err = p.spawn(stdio, true, app)
	return s, err
}

// start starts the app as spec says, in the mount namespace mntns. The
// returned helper is the app's process: its pidfd and exit.
func (s *starter) start(spec *appexec.Spec, mntns int) (*helper, error) {
	if s.helper != nil {
		return s.helper, s.helper.exec(spec, mntns)
	}
	h := &helper{sock: -1, pidfd: -1}
	attr := &syscall.ProcAttr{Files: s.stdio[:], Sys: s.p.mainSys(&h.pidfd, s.stdio)}
	err := nsthread.Run(func() error {
		return appexec.StartDirect(spec, []int{mntns}, attr, func(argv0 string, argv []string, attr *syscall.ProcAttr) error {
			var err error
			_, h.done, err = s.p.reaper.Start(argv0, argv, attr)
			return err
		})
	})
	return h, err
}

// abort gives up a start that has not happened.
func (s *starter) abort() {
	if s.helper != nil {
		s.helper.abort()
	}
}

// mainSys is how an app's main process starts: in a session of its own,
// with the caller's terminal when interactive, and a pidfd for stop.
func (p *pod) mainSys(pidfd *int, stdio [3]uintptr) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Setsid:  true,
		PidFD:   pidfd,
		Setctty: p.flags.Interactive && isTerminal(int(stdio[0])),
	}
}

// helper is an exec helper started ahead of its spec (package appexec).
type helper struct {
	sock  int
	done  <-chan unix.WaitStatus
	pidfd int // the main app's: for stop; -1 for handlers
}

// spawn starts an exec helper, a child of the pod init (so it already
// shares the pod's PID, UTS, IPC and network namespaces). A main app gets
// its own session (and the terminal when interactive) and a pidfd.
func (p *pod) spawn(stdio [3]uintptr, main bool, app string) (*helper, error) {
	parent, child, err := appexec.Socketpair()
	if err != nil {
		return nil, err
	}
	h := &helper{sock: parent, pidfd: -1}
	sys := &syscall.SysProcAttr{Setsid: true}
	if main {
		sys = p.mainSys(&h.pidfd, stdio)
	}
	socks := p.appSockets(app, main)
	attr := &syscall.ProcAttr{Files: sdactivation.HelperFiles(stdio, socks, child), Env: sdactivation.HelperEnv(socks), Sys: sys}
	_, h.done, err = p.reaper.Start("/proc/self/exe", []string{appexec.Name}, attr)
	unix.Close(child)
	if err != nil {
		unix.Close(parent)
		return nil, err
	}
	return h, nil
}

// exec has the helper join the app's mount namespace and exec spec. On
// error the helper has ended.
func (h *helper) exec(spec *appexec.Spec, mntns int) error {
	err := appexec.Handshake(h.sock, spec, []int{mntns})
	h.sock = -1
	if err != nil {
		h.abort()
	}
	return err
}

// abort ends a helper that will not exec: without a spec it exits.
func (h *helper) abort() {
	if h.sock >= 0 {
		unix.Close(h.sock)
		h.sock = -1
	}
	<-h.done
	if h.pidfd >= 0 {
		unix.Close(h.pidfd)
		h.pidfd = -1
	}
}
