// Package reaper starts processes and collects the exit of every child of
// the process, including orphans it inherits as a pod's PID 1.
//
// One reaper owns wait4(-1): exec.Cmd.Wait cannot be used beside it, since
// either could reap the other's child. Start registers the child under the
// same lock the reaper takes to dispatch an exit, so an exit is never lost,
// even when the child ends before Start returns.
package reaper

import (
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// Reaper reaps all children and hands each started one's status to its waiter.
type Reaper struct {
	mu      sync.Mutex
	waiters map[int]chan unix.WaitStatus
	// catching is closed once SIGCHLD is caught; Start waits for it.
	catching chan struct{}
}

// New starts reaping. Call it before the process starts any child.
//
// SIGCHLD is caught on a goroutine of its own: catching a signal takes a
// round trip to the Go runtime's signal thread (0.1-0.2 ms here), which
// the caller's own start-up overlaps. Start waits for it, so no child
// can end before its exit is caught.
func New() *Reaper {
	r := &Reaper{waiters: map[int]chan unix.WaitStatus{}, catching: make(chan struct{})}
	go func() {
		sigc := make(chan os.Signal, 16)
		signal.Notify(sigc, unix.SIGCHLD)
		close(r.catching)
		for range sigc {
			r.reap()
		}
	}()
	return r
}

func (r *Reaper) reap() {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if pid <= 0 || err != nil {
			return
		}
		r.mu.Lock()
		if c, ok := r.waiters[pid]; ok {
			c <- ws
			delete(r.waiters, pid)
		}
		r.mu.Unlock()
	}
}

// Start forks and execs argv0 (from the calling thread, so a thread of
// package nsthread passes on its namespaces and root) and returns its PID
// and a channel that receives its wait status once.
func (r *Reaper) Start(argv0 string, argv []string, attr *syscall.ProcAttr) (int, <-chan unix.WaitStatus, error) {
	<-r.catching
	r.mu.Lock()
	defer r.mu.Unlock()
	pid, err := syscall.ForkExec(argv0, argv, attr)
	if err != nil {
		return 0, nil, &os.PathError{Op: "exec", Path: argv0, Err: err}
	}
	c := make(chan unix.WaitStatus, 1)
	r.waiters[pid] = c
	return pid, c, nil
}

// ExitCode turns a wait status into a shell-style code: the exit status, or
// 128 plus the signal that killed the process.
func ExitCode(ws unix.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
