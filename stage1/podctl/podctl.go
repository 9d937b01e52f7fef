// Package podctl is how the pod init is told to stop: over a socketpair
// that stage1 init makes and keeps, never by a signal.
//
// The pod init is PID 1 of the pod's PID namespace, and an app running as
// root holds CAP_KILL: any signal the pod init handles, an app can send it.
// So the pod init handles no signal as a command. Shield catches every
// signal that would make a Go program exit (SIGTERM, SIGINT, SIGHUP,
// SIGQUIT, SIGUSR1, a SIGSEGV sent by kill, ...) and drops it; the kernel
// already drops, for a namespace's init, the signals it has no handler for
// and SIGKILL and SIGSTOP from inside the namespace. The commands come on
// the pod init's end of the socketpair (an fd no app inherits: the exec
// helper closes every fd but stdio). Stage1 init, outside the pod's PID
// namespace, turns SIGTERM and SIGINT (systemd, Ctrl-C, `saturn stop`) into
// Stop and ForceSignal (`saturn stop --force`) into Kill (Relay).
package podctl

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/envfd"
)

// Cmd is one command to the pod init.
type Cmd byte

const (
	// Start lets the pod init start the apps, once stage1 init has made
	// what they need (the pod cgroup): the pod init starts early, so that
	// its own start-up overlaps that work. It comes before any Stop or Kill.
	Start Cmd = 's'
	// Stop stops the apps gracefully: SIGTERM, a grace period, SIGKILL,
	// then their post-stop handlers.
	Stop Cmd = 't'
	// Kill kills the apps at once and skips the post-stop handlers.
	Kill Cmd = 'k'
)

// ForceSignal, sent to stage1 init, asks for Kill (stop --force); SIGTERM
// and SIGINT ask for Stop.
const ForceSignal = unix.SIGUSR1

// EnvFd names the environment variable that tells the pod init which fd
// is its end of the channel.
const EnvFd = "SATURN_POD_CTL_FD"

// InitPidFile holds stage1 init's PID, relative to the pod dir: stop
// signals it, since the pod init takes no signal.
const InitPidFile = "stage1/state/init.pid"

// Pair makes the channel: stage1 init keeps parent, the pod init inherits
// child (close-on-exec is cleared by exec.Cmd's ExtraFiles).
func Pair() (parent, child *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("pod control socketpair: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "pod-ctl"), os.NewFile(uintptr(fds[1]), "pod-ctl"), nil
}

// Send sends c to the pod init.
func Send(f *os.File, c Cmd) error {
	if _, err := f.Write([]byte{byte(c)}); err != nil {
		return fmt.Errorf("pod control: %w", err)
	}
	return nil
}

// Relay forwards stage1 init's stop signals to the pod init as commands
// until sigc is closed. The caller has signal.Notify'd sigc for SIGTERM,
// SIGINT and ForceSignal.
func Relay(sigc <-chan os.Signal, f *os.File) {
	for sig := range sigc {
		c := Stop
		if sig == ForceSignal {
			c = Kill
		}
		Send(f, c) // the pod init may have ended: nothing left to stop
	}
}

// Open is the pod init's end, named by EnvFd; it is made close-on-exec.
func Open() (*os.File, error) {
	fd, ok, err := envfd.Take(EnvFd)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%s not set by stage1 init: %w", EnvFd, errdefs.ErrInvalid)
	}
	unix.CloseOnExec(fd)
	// Non-blocking: the runtime's poller waits for commands, not a
	// thread of its own (each costs the pod init its stacks).
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, fmt.Errorf("pod control: %w", err)
	}
	return os.NewFile(uintptr(fd), "pod-ctl"), nil
}

// Commands reads commands from the pod init's end. The channel is never
// closed: when stage1 init is gone the pod init dies with it (Pdeathsig).
func Commands(f *os.File) <-chan Cmd {
	c := make(chan Cmd, 2)
	go func() {
		var b [16]byte
		for {
			n, err := f.Read(b[:])
			if err != nil {
				return
			}
			for _, x := range b[:n] {
				if Cmd(x) == Start || Cmd(x) == Stop || Cmd(x) == Kill {
					c <- Cmd(x)
				}
			}
		}
	}()
	return c
}

// Shield makes the calling process (the pod init) immune to the signals an
// app could send it to end it: it catches them and drops them. Handlers,
// unlike ignored dispositions, are reset by exec, so the pod's processes
// still start with default signal handling. Faults the kernel raises
// (a real SIGSEGV) still crash the process: the Go runtime tells them from
// sent ones.
func Shield() {
	c := make(chan os.Signal, 8)
	signal.Notify(c, shielded()...)
	go func() {
		for range c {
		}
	}()
}

// shielded are the signals whose Go default is to exit or crash. The
// stop signals (SIGTSTP, ...) need no shield: a namespace init without a
// handler never gets them from inside.
func shielded() []os.Signal {
	return []os.Signal{
		unix.SIGHUP, unix.SIGINT, unix.SIGQUIT, unix.SIGILL, unix.SIGTRAP, unix.SIGABRT,
		unix.SIGBUS, unix.SIGFPE, unix.SIGUSR1, unix.SIGSEGV, unix.SIGUSR2, unix.SIGPIPE,
		unix.SIGALRM, unix.SIGTERM, unix.SIGSTKFLT, unix.SIGXCPU, unix.SIGXFSZ,
		unix.SIGVTALRM, unix.SIGIO, unix.SIGPWR, unix.SIGSYS,
	}
}

// Attach gives cmd (the pod init, not yet started) the child end: it is
// appended to cmd's ExtraFiles, so call it after any other ExtraFiles are
// set, and its fd number is passed in the environment.
func Attach(cmd *exec.Cmd, child *os.File) { envfd.Pass(cmd, EnvFd, child) }
