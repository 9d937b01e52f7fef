package podctl

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Commands sent on stage1 init's end arrive, in order, on the pod init's.
func TestSendCommands(t *testing.T) {
	parent, child, err := Pair()
	if err != nil {
		t.Fatal(err)
	}
	defer parent.Close()
	defer child.Close()
	c := Commands(child)
	for _, want := range []Cmd{Start, Stop, Kill, Stop} {
		if err := Send(parent, want); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-c:
			if got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("command %q not received", want)
		}
	}
}

// Relay turns SIGTERM and SIGINT into Stop and ForceSignal into Kill.
func TestRelay(t *testing.T) {
	parent, child, err := Pair()
	if err != nil {
		t.Fatal(err)
	}
	defer parent.Close()
	defer child.Close()
	sigc := make(chan os.Signal, 3)
	sigc <- unix.SIGTERM
	sigc <- ForceSignal
	sigc <- unix.SIGINT
	close(sigc)
	Relay(sigc, parent)
	c := Commands(child)
	for _, want := range []Cmd{Stop, Kill, Stop} {
		if got := <-c; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// Attach numbers the child end after the other extra files and Open finds
// it from the environment, close-on-exec.
func TestAttachOpen(t *testing.T) {
	_, child, err := Pair()
	if err != nil {
		t.Fatal(err)
	}
	defer child.Close()
	cmd := &exec.Cmd{ExtraFiles: []*os.File{os.Stdin}}
	Attach(cmd, child)
	if len(cmd.ExtraFiles) != 2 || cmd.Env[len(cmd.Env)-1] != EnvFd+"=4" {
		t.Fatalf("extra files %d, env %q", len(cmd.ExtraFiles), cmd.Env[len(cmd.Env)-1])
	}
	t.Setenv(EnvFd, strconv.Itoa(int(child.Fd())))
	f, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	flags, err := unix.FcntlInt(f.Fd(), unix.F_GETFD, 0)
	if err != nil || flags&unix.FD_CLOEXEC == 0 {
		t.Errorf("pod init's end is not close-on-exec: %v %v", flags, err)
	}
	t.Setenv(EnvFd, "1")
	if _, err := Open(); err == nil {
		t.Errorf("Open accepted fd 1")
	}
}

// Shield: signals an app could send (here: the process itself, by kill)
// no longer end the process. A child of this test re-runs it, sends itself
// every shielded signal and must exit 0; without Shield, the first one
// kills it (so the test can fail).
func TestShield(t *testing.T) {
	if mode := os.Getenv("PODCTL_SHIELD_CHILD"); mode != "" {
		if mode == "shield" {
			Shield()
		}
		for _, s := range shielded() {
			unix.Kill(os.Getpid(), s.(unix.Signal))
		}
		time.Sleep(200 * time.Millisecond)
		os.Exit(0)
	}
	for mode, survives := range map[string]bool{"shield": true, "bare": false} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestShield$")
		cmd.Env = append(os.Environ(), "PODCTL_SHIELD_CHILD="+mode)
		out, err := cmd.CombinedOutput()
		if (err == nil) != survives {
			t.Errorf("%s: exit %v, want survival %v\n%.300s", mode, err, survives, out)
		}
	}
}
