package network

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/stage1/nsthread"
	"github.com/saturnpod/saturn/stage1/podcfg"
)

// --net=none: the pod init starts in a network namespace of its own with
// loopback up, and the thread that started it is back in its own.
func TestNoneStartsInOwnNamespace(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	nw, err := ForRun(&podcfg.RunFlags{Net: "none"})
	if err != nil {
		t.Fatal(err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before, _ := os.Readlink("/proc/thread-self/ns/net")
	cmd := exec.Command("sleep", "10")
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if err := nw.Start(cmd); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	if after, _ := os.Readlink("/proc/thread-self/ns/net"); after != before {
		t.Errorf("the starting thread stayed in %s (was %s)", after, before)
	}
	child, _ := os.Readlink("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/ns/net")
	if child == before || child == "" {
		t.Fatalf("child in namespace %q, the caller's is %q", child, before)
	}
	var flags uint16
	err = nsthread.Run(func() error {
		fds, err := nsthread.OpenNS(cmd.Process.Pid, "net")
		if err != nil {
			return err
		}
		defer nsthread.CloseAll(fds)
		if err := nsthread.Join(fds...); err != nil {
			return err
		}
		flags, err = loFlags()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if flags&unix.IFF_UP == 0 {
		t.Errorf("loopback down in the pod's namespace: flags %#x", flags)
	}
	if err := (none{}).Start(exec.Command("true")); err == nil {
		t.Error("a none from For started")
	}
}

func loFlags() (uint16, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return 0, err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return 0, err
	}
	return ifr.Uint16(), nil
}
