package run

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/appc/spec/schema"
	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/podcfg"
)

// envLockFD names the locked pod dir fd stage0 passes.
const envLockFD = "RKT_LOCK_FD"

// lockFD is the pod lock stage0 passed. fly needs it: the app holds it,
// and enter and stop recognize the app by it.
func lockFD() (int, error) {
	s := os.Getenv(envLockFD)
	fd, err := strconv.Atoi(s)
	if err != nil || fd < 3 {
		return -1, fmt.Errorf("%s=%q: stage0 must pass the locked pod dir: %w", envLockFD, s, errdefs.ErrInvalid)
	}
	var got, dir unix.Stat_t
	if err := unix.Fstat(fd, &got); err != nil {
		return -1, fmt.Errorf("%s=%d: %w: %w", envLockFD, fd, err, errdefs.ErrInvalid)
	}
	if err := unix.Stat(".", &dir); err != nil {
		return -1, err
	}
	if got.Dev != dir.Dev || got.Ino != dir.Ino {
		return -1, fmt.Errorf("%s=%d is not the pod dir: %w", envLockFD, fd, errdefs.ErrInvalid)
	}
	return fd, nil
}

// checkFlags refuses what fly cannot do rather than doing something else:
// a pod asked to have no network (or a CNI network) would get the host's.
func checkFlags(f *podcfg.RunFlags) error {
	if f.Net != "host" && f.Net != "default" {
		return fmt.Errorf("--net=%s: stage1-fly always runs in the host's network namespace (use --net=host): %w", f.Net, errdefs.ErrInvalid)
	}
	return nil
}

// warnUnsupported says on stderr what the pod asks for that fly skips,
// rather than skipping it silently.
func warnUnsupported(ra *schema.RuntimeApp, f *podcfg.RunFlags) {
	warn := func(format string, a ...any) {
		fmt.Fprintf(os.Stderr, "saturn stage1-fly: warning: app %s: "+format+"\n", append([]any{ra.Name}, a...)...)
	}
	for _, h := range ra.App.EventHandlers {
		if h.Name == "post-stop" {
			warn("post-stop handler %q will not run: the app replaces stage1 (exec in place), nothing is left to run it", h.Exec)
		}
	}
	for _, iso := range ra.App.Isolators {
		if strings.HasPrefix(iso.Name.String(), "resource/") {
			warn("isolator %s ignored: stage1-fly makes no cgroup, the app stays in the caller's", iso.Name)
		}
	}
	if f.Hostname != podcfg.DefaultHostname(f.UUID) {
		warn("--hostname=%s ignored: stage1-fly shares the host's UTS namespace", f.Hostname)
	}
}

// setStdin gives a non-interactive app /dev/null as stdin, as the default
// stage1 does; --interactive keeps the caller's.
func setStdin(interactive bool) error {
	if interactive {
		return nil
	}
	fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open /dev/null: %w", err)
	}
	defer unix.Close(fd)
	return unix.Dup3(fd, 0, 0)
}

// ownProcessGroup makes the app lead a process group, so that stop can
// signal what the app started along with it. Not with a terminal: leaving
// the terminal's foreground group would stop the app on its first read or
// write. A session leader (systemd's main process) already leads one.
func ownProcessGroup() {
	for fd := 0; fd <= 2; fd++ {
		if _, err := unix.IoctlGetTermios(fd, unix.TCGETS); err == nil {
			return
		}
	}
	if err := unix.Setpgid(0, 0); err != nil && !errors.Is(err, unix.EPERM) {
		fmt.Fprintf(os.Stderr, "saturn stage1-fly: warning: own process group: %v\n", err)
	}
}
