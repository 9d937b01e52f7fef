// Package appexec is the last step before an app (or an event handler, or
// enter's command) runs: a small helper process, the stage1 binary re-exec'd
// as "saturn-app-exec", that joins the app's namespaces and cgroup, takes on
// the app's confinement (package isolation) and execs the program in place.
// An app whose confinement a thread can carry (Direct) skips the helper:
// StartDirect does the same on a thread of the pod init and forks the app
// from it (direct.go).
//
// Why a helper: Go cannot run code between fork and exec, and the app's
// user, capabilities, no_new_privs and seccomp filter must be set by the
// process that execs. The helper is exec'd from stage1's own mount
// namespace (never from inside the app's root, which the app controls) and
// only then joins the app's mount namespace, so no path inside the pod can
// substitute the binary that runs with stage1's privileges.
//
// Parent and helper talk over a socketpair (the helper's fd 3): the parent
// sends a Spec as JSON, with the namespace fds to join attached
// (SCM_RIGHTS), and closes its write side; the helper answers with an error
// message, or with nothing: the socket is close-on-exec, so end of file
// without a message means the exec succeeded. Since nothing but the socket
// is fixed at fork time, a parent can start the helper early and let its
// start-up overlap the building of the app's root.
package appexec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/cgroups"
	"github.com/saturnpod/saturn/stage1/isolation"
	"github.com/saturnpod/saturn/stage1/sdactivation"
)

// Name is the helper's argv[0]; the stage1 binary dispatches on it.
const Name = "saturn-app-exec"

// Spec is what the helper does.
type Spec struct {
	Argv []string `json:"argv"`
	Env  []string `json:"env"`
	Dir  string   `json:"dir"`
	// Isolation is the confinement: user, groups, capabilities, ...
	Isolation isolation.Config `json:"isolation"`
	// Cgroup and App: the helper moves its exec'ing thread into the
	// app's cgroup (see joinCgroup); nil: no cgroup.
	Cgroup *cgroups.Pod `json:"cgroup,omitempty"`
	App    string       `json:"app"`
	// NewCgroupNS makes a cgroup namespace rooted at the app's cgroup (for
	// the app; enter joins the app's instead).
	NewCgroupNS bool `json:"newCgroupNS,omitempty"`
}

// maxNS bounds the namespace fds a spec comes with.
const maxNS = 8

// Files builds the helper's fd table: stdio and the socket.
func Files(stdio [3]uintptr, sock int) []uintptr {
	return append(stdio[:], uintptr(sock))
}

// Socketpair makes the parent's and the helper's ends of the channel.
func Socketpair() (parent, child int, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, -1, fmt.Errorf("socketpair: %w", err)
	}
	return fds[0], fds[1], nil
}

// Handshake sends spec and the namespaces to join (in order; the mount
// namespace last) to a started helper, and waits until it has exec'd (nil)
// or failed (its message). It closes sock.
func Handshake(sock int, spec *Spec, ns []int) error {
	f := os.NewFile(uintptr(sock), "app-exec")
	defer f.Close()
	b, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	if err := unix.Sendmsg(sock, b, unix.UnixRights(ns...), nil, 0); err != nil {
		return fmt.Errorf("send spec to helper: %w", err)
	}
	if err := unix.Shutdown(sock, unix.SHUT_WR); err != nil {
		return err
	}
	msg, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return fmt.Errorf("helper: %w", err)
	}
	if len(msg) > 0 {
		return errors.New(strings.TrimSpace(string(msg)))
	}
	return nil
}

// Main is the helper; it takes no arguments. It only returns on failure,
// after telling the parent.
func Main([]string) int {
	// Not dumpable: the pod's processes may not open /proc/<pid>/exe, mem,
	// or fds of this process while it still holds stage1's privileges.
	unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	// The app's sockets from socket activation, if any, come first (package sdactivation).
	sock := os.NewFile(uintptr(sdactivation.HelperSock()), "app-exec")
	err := run(sock)
	fmt.Fprintf(sock, "%v\n", err)
	return 254
}

func run(sock *os.File) error {
	ns, first, err := recvNS(int(sock.Fd()))
	if err != nil {
		return err
	}
	var spec Spec
	in := io.MultiReader(bytes.NewReader(first), io.LimitReader(sock, 16<<20))
	if err := json.NewDecoder(in).Decode(&spec); err != nil {
		return fmt.Errorf("read spec: %w: %w", err, errdefs.ErrInvalid)
	}
	// Nothing but stdio reaches the program; the socket closing at exec is
	// what tells the parent the exec happened.
	if err := unix.CloseRange(uint(sock.Fd()), ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return fmt.Errorf("close_range: %w", err)
	}
	return enterAndExec(&spec, ns)
}

// joinCgroup moves the calling thread, the one that will exec, into the
// app's cgroup, while it still sees the host's cgroup mounts. On cgroup v1
// it writes "0" to each hierarchy's tasks file: moving just the current
// thread is the one migration the kernel does without write-locking its
// global threadgroup lock, which otherwise waits for an RCU grace period
// (about 10 ms) on every pod start. exec then leaves only this thread, so
// the app starts whole in its cgroup. cgroup2 moves the whole process.
// TODO(cgroups): the v1 write belongs in package cgroups (Pod.AddThread).
func joinCgroup(cg *cgroups.Pod, app string) error {
	if cg == nil {
		return nil
	}
	if cg.Unified {
		return cg.Add(app, os.Getpid())
	}
	for _, dir := range cg.Dirs {
		if err := os.WriteFile(filepath.Join(dir, app, "tasks"), []byte("0"), 0); err != nil {
			return fmt.Errorf("join app cgroup: %w", err)
		}
	}
	return nil
}

// recvNS reads the first message: the start of the spec and the fds.
func recvNS(sock int) (ns []int, first []byte, err error) {
	buf := make([]byte, 64<<10)
	oob := make([]byte, unix.CmsgSpace(maxNS*4))
	n, oobn, flags, _, err := unix.Recvmsg(sock, buf, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		return nil, nil, fmt.Errorf("read spec: %w", err)
	}
	if flags&unix.MSG_CTRUNC != 0 {
		return nil, nil, fmt.Errorf("more than %d namespaces: %w", maxNS, errdefs.ErrInvalid)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return nil, nil, fmt.Errorf("read namespaces: %w", err)
	}
	for _, m := range msgs {
		fds, err := unix.ParseUnixRights(&m)
		if err != nil {
			return nil, nil, fmt.Errorf("read namespaces: %w", err)
		}
		ns = append(ns, fds...)
	}
	return ns, buf[:n], nil
}

// enterAndExec joins the namespaces and execs, on one locked thread.
func enterAndExec(spec *Spec, ns []int) error {
	runtime.LockOSThread() // for good: namespaces and confinement are per thread
	argv0, err := joinApp(spec, ns)
	if err != nil {
		return err
	}
	return spec.Isolation.Exec(argv0, spec.Argv, sdactivation.AppEnv(spec.Env))
}

// joinApp moves the calling (locked) thread into the app's cgroup,
// namespaces (the mount namespace last) and working directory, and finds
// the program to run there.
func joinApp(spec *Spec, ns []int) (argv0 string, err error) {
	if err := joinCgroup(spec.Cgroup, spec.App); err != nil {
		return "", err
	}
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return "", fmt.Errorf("unshare fs: %w", err)
	}
	for i, fd := range ns {
		if err := unix.Setns(fd, 0); err != nil {
			return "", fmt.Errorf("join namespace %d: %w", i, err)
		}
	}
	if spec.NewCgroupNS {
		if err := unix.Unshare(unix.CLONE_NEWCGROUP); err != nil {
			return "", fmt.Errorf("new cgroup namespace: %w", err)
		}
	}
	if err := unix.Chdir(spec.Dir); err != nil {
		return "", fmt.Errorf("working directory %s: %w: %w", spec.Dir, err, errdefs.ErrNotFound)
	}
	return lookPath(spec.Argv[0], spec.Env)
}

// lookPath finds a command without a slash in the PATH of env, inside the
// root the thread now has.
func lookPath(cmd string, env []string) (string, error) {
	if strings.Contains(cmd, "/") {
		return cmd, nil
	}
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range strings.Split(path, ":") {
		if dir == "" {
			continue
		}
		p := dir + "/" + cmd
		var st syscall.Stat_t
		if syscall.Stat(p, &st) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFREG && st.Mode&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not in PATH %s: %w", cmd, path, errdefs.ErrNotFound)
}
