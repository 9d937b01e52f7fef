// Package stop is stage1-fly's stop entrypoint. The app is the pod: stop
// signals it (SIGTERM, or SIGKILL with --force), then its process group
// when the app leads one (run makes it lead one unless a terminal is
// attached), so what the app started goes with it. After a grace period
// what is left gets SIGKILL. stop returns once the app has ended.
package stop

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1-fly/flystate"
	"github.com/saturnpod/saturn/stage1/podstate"
	"github.com/saturnpod/saturn/stage1/stopcmd"
)

// Grace is how long the app and its group get between SIGTERM and SIGKILL,
// as in the default stage1.
const Grace = 10 * time.Second

// killWait bounds the wait after SIGKILL.
const killWait = 5 * time.Second

// Main runs stop with its arguments: [--force] UUID.
func Main(args []string) int { return stopcmd.Main("saturn stage1-fly stop", args, run) }

func run(force bool) error {
	pid, err := podstate.ReadInt(podstate.PidFile)
	if errors.Is(err, errdefs.ErrNotFound) {
		return nil // the app never started: nothing runs
	}
	if err != nil {
		return err
	}
	st, err := flystate.Read()
	if err != nil {
		return err
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return nil // ended already
	}
	if err != nil {
		return fmt.Errorf("pidfd_open %d: %w", pid, err)
	}
	defer unix.Close(pidfd)
	if !st.HoldsPod(pid) {
		return nil // a stale pid file: the PID is someone else's now
	}
	a := app{pidfd: pidfd, pid: pid, group: leadsGroup(pid)}
	if force {
		return a.stop(unix.SIGKILL, killWait)
	}
	if err := a.stop(unix.SIGTERM, Grace); err == nil {
		return nil
	}
	return a.stop(unix.SIGKILL, killWait)
}

type app struct {
	pidfd, pid int
	group      bool // the app leads its process group
}

// stop sends sig to the app and its group, and waits (at most timeout)
// until the app and the rest of its group have ended.
func (a app) stop(sig unix.Signal, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	if err := unix.PidfdSendSignal(a.pidfd, sig, nil, 0); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("signal app %d: %w", a.pid, err)
	}
	if a.group {
		// The group outlives its leader while a member lives, and its ID
		// is not reused meanwhile.
		if err := unix.Kill(-a.pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("signal process group %d: %w", a.pid, err)
		}
	}
	if err := stopcmd.WaitExit(a.pidfd, deadline, "app still running"); err != nil {
		return err
	}
	for a.group && groupAlive(a.pid) {
		if time.Now().After(deadline) {
			return fmt.Errorf("process group %d still has processes after %v: %w", a.pid, timeout, errdefs.ErrBusy)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// leadsGroup reports whether pid leads its own process group. Only then is
// the group the app's: otherwise it is the caller's (a shell's job, a
// test), which stop must not signal.
func leadsGroup(pid int) bool {
	pgid, err := unix.Getpgid(pid)
	return err == nil && pgid == pid
}

// groupAlive reports whether a process of group pgid still runs. A zombie
// does not count: the app's caller reaps the app when it likes, and kill(2)
// would count it until then.
func groupAlive(pgid int) bool {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return false
	}
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces, so parse
		// after its closing parenthesis.
		i := strings.LastIndexByte(string(b), ')')
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 2 && f[0] != "Z" && f[2] == strconv.Itoa(pgid) {
			return true
		}
	}
	return false
}
