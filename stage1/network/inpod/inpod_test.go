package inpod

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/stage1/nsthread"
)

// In a new network namespace loopback starts down; Ready brings it up
// when stage1 init asked for it (Loopback).
func TestReadyBringsLoopbackUp(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	cmd := &exec.Cmd{Env: []string{}}
	Loopback(cmd)
	for _, kv := range cmd.Env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	var before, after uint16
	err := nsthread.Run(func() error {
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return err
		}
		var err error
		if before, err = loFlags(); err != nil {
			return err
		}
		if err := Ready(); err != nil {
			return err
		}
		after, err = loFlags()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := os.LookupEnv(loopbackEnv); ok {
		t.Errorf("%s left in the environment", loopbackEnv)
	}
	if before&unix.IFF_UP != 0 || after&unix.IFF_UP == 0 {
		t.Errorf("lo flags before %#x after %#x", before, after)
	}
}

func loFlags() (uint16, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	ifr, _ := unix.NewIfreq("lo")
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return 0, err
	}
	return ifr.Uint16(), nil
}

// Ready waits for stage1 init's byte; EOF (setup failed) is an error; a
// pod init started without the pipe does not wait.
func TestReadyWaits(t *testing.T) {
	for _, write := range []bool{true, false} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		// Ready closes the fd it is given: give it a copy of r's.
		fd, err := unix.Dup(int(r.Fd()))
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		t.Setenv(readyEnv, strconv.Itoa(fd))
		if write {
			w.Write([]byte{1})
		}
		w.Close()
		err = Ready()
		if (err == nil) != write {
			t.Errorf("written %v: %v", write, err)
		}
		if _, ok := os.LookupEnv(readyEnv); ok {
			t.Errorf("%s left in the environment", readyEnv)
		}
	}
	if err := Ready(); err != nil {
		t.Errorf("without the pipe: %v", err)
	}
}
