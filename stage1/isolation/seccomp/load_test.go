package seccomp

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// helperEnv makes the test binary a helper that loads the filter given as
// JSON, makes a few syscalls and prints their errnos.
const helperEnv = "SATURN_SECCOMP_TEST_SPEC"

func TestMain(m *testing.M) {
	if spec := os.Getenv(helperEnv); spec != "" {
		os.Exit(helper(spec))
	}
	os.Exit(m.Run())
}

// probes are harmless syscalls: without a filter, swapoff and umount2 of a
// missing path fail with ENOENT (root has the capabilities), not EPERM.
func probes() map[string]func() unix.Errno {
	missing, _ := unix.BytePtrFromString("/nonexistent-saturn-test")
	return map[string]func() unix.Errno{
		"swapoff": func() unix.Errno {
			_, _, e := unix.RawSyscall(unix.SYS_SWAPOFF, uintptr(unsafe.Pointer(missing)), 0, 0)
			return e
		},
		"umount2": func() unix.Errno {
			_, _, e := unix.RawSyscall(unix.SYS_UMOUNT2, uintptr(unsafe.Pointer(missing)), 0, 0)
			return e
		},
		"getppid": func() unix.Errno {
			_, _, e := unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0)
			return e
		},
		"clone-newuser": func() unix.Errno { return rawFork(unix.CLONE_NEWUSER) },
		"fork":          func() unix.Errno { return rawFork(0) },
	}
}

// rawFork clones a child that exits at once, and reaps it.
func rawFork(flags uintptr) unix.Errno {
	pid, _, e := unix.RawSyscall6(unix.SYS_CLONE, flags|uintptr(unix.SIGCHLD), 0, 0, 0, 0, 0)
	if e != 0 {
		return e
	}
	if pid == 0 {
		unix.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
	}
	var ws unix.WaitStatus
	_, err := unix.Wait4(int(pid), &ws, 0, nil)
	if err != nil {
		return err.(unix.Errno)
	}
	return 0
}

func helper(specJSON string) int {
	var s Spec
	if err := json.Unmarshal([]byte(specJSON), &s); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	p, err := Compile(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	runtime.LockOSThread()
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := Load(p); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var out []string
	for _, name := range strings.Fields(os.Getenv(helperEnv + "_PROBES")) {
		out = append(out, fmt.Sprintf("%s=%d", name, int(probes()[name]())))
	}
	fmt.Println(strings.Join(out, " "))
	return 0
}

// runHelper starts the test binary as a helper and returns its output.
func runHelper(t *testing.T, s Spec, probeNames string) (string, error) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root for the probes to mean anything")
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+string(b), helperEnv+"_PROBES="+probeNames)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

func TestLoadDefaultBlocksWithEPERM(t *testing.T) {
	out, err := runHelper(t, Default(), "swapoff umount2 getppid clone-newuser fork")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("swapoff=%d umount2=%d getppid=0 clone-newuser=%d fork=0",
		unix.EPERM, unix.EPERM, unix.EPERM)
	if out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

func TestLoadRemoveSetIsTheOnlyFilter(t *testing.T) {
	// A remove-set naming only swapoff opens umount2 again: the kernel
	// answers (ENOENT or EINVAL) instead of the filter.
	out, err := runHelper(t, Spec{Mode: ModeRemove, Syscalls: []string{"swapoff"}, Errno: "ENOTSUP"}, "swapoff umount2")
	if err != nil {
		t.Fatal(err)
	}
	var swapoff, umount int
	if _, err := fmt.Sscanf(out, "swapoff=%d umount2=%d", &swapoff, &umount); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	if unix.Errno(swapoff) != unix.ENOTSUP {
		t.Errorf("swapoff: %v, want ENOTSUP", unix.Errno(swapoff))
	}
	if unix.Errno(umount) == unix.EPERM || unix.Errno(umount) == unix.ENOTSUP || umount == 0 {
		t.Errorf("umount2: %v, want the kernel's own error", unix.Errno(umount))
	}
}

func TestLoadRetainSetAllowsOnlyItsSet(t *testing.T) {
	s := Spec{Mode: ModeRetain, Syscalls: []string{GroupDefaultAllowlist, "umount2"}, Errno: "ENOSYS"}
	out, err := runHelper(t, s, "swapoff umount2 getppid")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("swapoff=%d umount2=%d getppid=0", unix.ENOSYS, unix.ENOENT)
	if out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

func TestLoadWithoutErrnoKills(t *testing.T) {
	_, err := runHelper(t, Spec{Mode: ModeRemove, Syscalls: []string{"swapoff"}}, "swapoff")
	ee, ok := err.(*exec.ExitError)
	if !ok {
		t.Fatalf("got %v, want the helper killed", err)
	}
	ws := ee.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGSYS {
		t.Errorf("got %v, want killed by SIGSYS", ws)
	}
}
