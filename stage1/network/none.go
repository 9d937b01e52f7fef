package network

import (
	"errors"
	"fmt"
	"os/exec"
	"runtime"

	"golang.org/x/sys/unix"
)

// none gives the pod a namespace of its own with loopback only; it dies
// with the pod, so there is nothing to tear down.
//
// stage1 init makes the namespace as soon as it knows --net (ForRun), on
// a thread of its own, and forks the pod init into it: a new network
// namespace costs about 0.5 ms of kernel work (the setup of every
// per-namespace subsystem), which then runs beside the rest of stage1
// init's setup instead of inside the pod init's clone.
type none struct {
	made <-chan madeNetns // nil in a none from For: it cannot Start
}

type madeNetns struct {
	fd  int // the namespace, loopback up
	err error
}

func (none) Teardown() error { return nil }

// makeNetns starts making the namespace and returns where it comes.
func makeNetns() <-chan madeNetns {
	made := make(chan madeNetns, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			made <- madeNetns{fd: -1, err: fmt.Errorf("open own network namespace: %w", err)}
			return // the thread dies with the goroutine
		}
		defer unix.Close(orig)
		m := newNetns()
		// Back home, the thread may serve other goroutines. If it cannot
		// go back it stays locked: a locked goroutine that ends takes its
		// thread along (unless that is the main thread, which stage1 init
		// keeps locked for itself).
		if unix.Setns(orig, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		made <- m
	}()
	return made
}

// newNetns moves the calling thread into a new network namespace, brings
// loopback up there, and opens the namespace.
func newNetns() madeNetns {
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		return madeNetns{fd: -1, err: fmt.Errorf("new network namespace: %w", err)}
	}
	if err := loopbackUp(); err != nil {
		return madeNetns{fd: -1, err: err}
	}
	fd, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return madeNetns{fd: -1, err: fmt.Errorf("open network namespace: %w", err)}
	}
	return madeNetns{fd: fd}
}

// Start forks the pod init from the calling thread (locked, see Network)
// once it has joined the namespace, then takes the thread back to its
// own namespace. The pod init holds the namespace from then on.
func (n none) Start(cmd *exec.Cmd) error {
	if n.made == nil {
		return errors.New("network none: no namespace made (not from ForRun)")
	}
	m := <-n.made
	if m.err != nil {
		return m.err
	}
	defer unix.Close(m.fd)
	own, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open own network namespace: %w", err)
	}
	defer unix.Close(own)
	if err := unix.Setns(m.fd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("join the pod's network namespace: %w", err)
	}
	err = cmd.Start()
	if back := unix.Setns(own, unix.CLONE_NEWNET); back != nil {
		// Not expected; but stage1 init must not go on in the pod's
		// namespace: the pod does not start.
		if err == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		return errors.Join(err, fmt.Errorf("leave the pod's network namespace: %w", back))
	}
	return err
}

// loopbackUp brings up "lo" in the calling thread's network namespace.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("loopback flags: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("loopback up: %w", err)
	}
	return nil
}
