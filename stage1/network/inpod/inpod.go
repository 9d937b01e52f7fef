// Package inpod is the pod init's side of package network: what is left
// to do inside the pod's network namespace once stage1 init has made it.
// stage1 init says what that is in the pod init's environment (Loopback,
// WaitOn), so that the pod init needs neither the --net flag nor the CNI
// code (package networking and the plugins' libraries): its binary stays
// small, and it starts the sooner.
package inpod

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// The variables stage1 init sets in the pod init's environment.
const (
	// loopbackEnv: the pod has a network namespace of its own without
	// CNI; loopback starts down there.
	loopbackEnv = "SATURN_NETWORK_LOOPBACK"
	// readyEnv names the fd on which stage1 init writes one byte once the
	// CNI networks are up.
	readyEnv = "SATURN_NETWORK_READY_FD"
)

// Loopback makes the pod init (cmd, not started yet) bring loopback up.
func Loopback(cmd *exec.Cmd) {
	setenv(cmd, loopbackEnv+"=1")
}

// WaitOn makes the pod init (cmd, not started yet) wait until a byte
// arrives on ready, the read end of a pipe whose write end stage1 init
// keeps; EOF says the network setup failed. cmd gets ready as an extra
// file: the caller closes its copy once cmd has started.
func WaitOn(cmd *exec.Cmd, ready *os.File) {
	cmd.ExtraFiles = append(cmd.ExtraFiles, ready)
	setenv(cmd, fmt.Sprintf("%s=%d", readyEnv, 2+len(cmd.ExtraFiles)))
}

func setenv(cmd *exec.Cmd, kv string) {
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, kv)
}

// Ready does, in the pod init, what stage1 init asked for: bring loopback
// up, or wait until the networks are up. It does nothing for a pod in the
// host's namespace. It runs before any app starts.
func Ready() error {
	if _, ok := os.LookupEnv(loopbackEnv); ok {
		os.Unsetenv(loopbackEnv)
		return LoopbackUp()
	}
	s, ok := os.LookupEnv(readyEnv)
	if !ok {
		return nil
	}
	os.Unsetenv(readyEnv)
	fd, err := strconv.Atoi(s)
	if err != nil || fd < 3 {
		return fmt.Errorf("%s=%q: %w", readyEnv, s, errdefs.ErrInvalid)
	}
	f := os.NewFile(uintptr(fd), "network-ready")
	defer f.Close()
	var b [1]byte
	if n, _ := f.Read(b[:]); n != 1 {
		return fmt.Errorf("pod network setup failed (see stage1 init's error): %w", errdefs.ErrWrongState)
	}
	return nil
}

// LoopbackUp brings up "lo" in the calling thread's network namespace.
func LoopbackUp() error {
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
