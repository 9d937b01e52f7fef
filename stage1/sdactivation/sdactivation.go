// Package sdactivation carries sockets from systemd socket activation
// (sd_listen_fds(3)) to the app that declares them.
//
// The service manager passes the sockets to `saturn run` as fds 3 and up
// with LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES. stage0 keeps them open
// across its exec of stage1 init (same PID), which takes them out of its
// environment (package take) and hands them to the pod init as extra
// files (Pass). The pod init picks, for each app, the sockets whose name
// matches one of the app's ports with socketActivated: true (ForApp) and
// starts the app's exec helper with them already at fds 3 and up
// (HelperFiles, HelperEnv); the helper adds LISTEN_PID (its own PID,
// which the app keeps), LISTEN_FDS and LISTEN_FDNAMES to the app's
// environment (AppEnv) just before it execs. No other app, handler or
// enter command gets them.
package sdactivation

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// The protocol's variables and its first fd.
const (
	EnvPID   = "LISTEN_PID"
	EnvFDs   = "LISTEN_FDS"
	EnvNames = "LISTEN_FDNAMES"
	FirstFD  = 3
)

// How stage1 init tells the pod init, and the pod init the exec helper,
// where the sockets are.
const (
	envPodFirst = "SATURN_LISTEN_FIRST_FD"
	envPodNames = "SATURN_LISTEN_FDNAMES"
	envHelper   = "SATURN_APP_LISTEN_FDNAMES"
)

// Socket is one passed socket and its name (LISTEN_FDNAMES; systemd names
// a socket after its .socket unit unless FileDescriptorName= says else).
type Socket struct {
	Name string
	File *os.File
}

func socketsAt(first, n int, names string) []Socket {
	nl := strings.Split(names, ":")
	out := make([]Socket, 0, n)
	for i := range n {
		fd := first + i
		unix.CloseOnExec(fd)
		name := "unknown" // sd_listen_fds_with_names' default
		if i < len(nl) && nl[i] != "" {
			name = nl[i]
		}
		out = append(out, Socket{Name: name, File: os.NewFile(uintptr(fd), name)})
	}
	return out
}

// Pass gives the sockets to a child (the pod init) as extra files after
// those cmd already has, and tells it where they are through its
// environment.
func Pass(cmd *exec.Cmd, socks []Socket) {
	if len(socks) == 0 {
		return
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	first := FirstFD + len(cmd.ExtraFiles)
	names := make([]string, len(socks))
	for i, s := range socks {
		cmd.ExtraFiles = append(cmd.ExtraFiles, s.File)
		names[i] = s.Name
	}
	cmd.Env = append(cmd.Env, envPodFirst+"="+strconv.Itoa(first), envPodNames+"="+strings.Join(names, ":"))
}

// Inherited returns the sockets stage1 init passed to the pod init, and
// takes the variables that told where they are out of the environment.
func Inherited() ([]Socket, error) {
	first, names := os.Getenv(envPodFirst), os.Getenv(envPodNames)
	os.Unsetenv(envPodFirst)
	os.Unsetenv(envPodNames)
	if first == "" {
		return nil, nil
	}
	fd, err := strconv.Atoi(first)
	if err != nil || fd < FirstFD {
		return nil, fmt.Errorf("%s=%q: %w", envPodFirst, first, errdefs.ErrInvalid)
	}
	return socketsAt(fd, len(strings.Split(names, ":")), names), nil
}

// ForApp picks the sockets for an app: those named like one of its ports
// with socketActivated: true (ports names those), either exactly or as
// "<port>.socket".
func ForApp(socks []Socket, ports []string) []Socket {
	var out []Socket
	for _, s := range socks {
		for _, p := range ports {
			if s.Name == p || s.Name == p+".socket" {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// Unclaimed lists the names of the sockets no app takes.
func Unclaimed(socks []Socket, apps [][]string) []string {
	var out []string
	for _, s := range socks {
		taken := false
		for _, ports := range apps {
			taken = taken || len(ForApp([]Socket{s}, ports)) > 0
		}
		if !taken {
			out = append(out, s.Name)
		}
	}
	return out
}
