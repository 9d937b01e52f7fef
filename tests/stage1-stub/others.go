package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// enter prints what it was asked to do: the stub has no apps to enter.
func enter(args []string) error {
	var pid, app string
	i := 0
	for ; i < len(args) && args[i] != "--"; i++ {
		switch k, v, _ := strings.Cut(args[i], "="); k {
		case "--pid":
			pid = v
		case "--appname":
			app = v
		default:
			return fmt.Errorf("unknown flag %s", args[i])
		}
	}
	if i == len(args) || i+1 == len(args) {
		return fmt.Errorf("no -- CMD")
	}
	want, err := os.ReadFile("pid")
	if err != nil || strings.TrimSpace(string(want)) != pid {
		return fmt.Errorf("--pid=%s is not the pod's pid %q", pid, want)
	}
	fmt.Printf("enter pid=%s app=%s cmd=%s\n", pid, app, strings.Join(args[i+1:], " "))
	return nil
}

// stop signals the pod's process: TERM, or KILL with --force.
func stop(args []string) error {
	sig := syscall.SIGTERM
	if len(args) == 2 && args[0] == "--force" {
		sig = syscall.SIGKILL
	} else if len(args) != 1 {
		return fmt.Errorf("usage: stop [--force] UUID")
	}
	b, err := os.ReadFile("pid")
	if err != nil {
		return err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return err
	}
	if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}

// gc logs its call to $STUB_GC_LOG, sleeps $STUB_GC_SLEEP, and fails while
// the pod dir holds a file named stub-gc-fail: enough to test that gc
// calls it, survives its failure and being killed half-way.
func gc(args []string) error {
	uuid := args[len(args)-1]
	if log := os.Getenv("STUB_GC_LOG"); log != "" {
		f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		fmt.Fprintf(f, "gc %s\n", uuid)
		f.Close()
	}
	if d, err := time.ParseDuration(os.Getenv("STUB_GC_SLEEP")); err == nil {
		time.Sleep(d)
	}
	if _, err := os.Stat("stub-gc-fail"); err == nil {
		return fmt.Errorf("asked to fail")
	}
	return nil
}
