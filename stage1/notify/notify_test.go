package notify

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestManagerReady(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify")
	srv, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	t.Setenv(EnvSocket, path)
	m := FromEnv()
	if _, ok := os.LookupEnv(EnvSocket); ok {
		t.Errorf("%s still in the environment", EnvSocket)
	}
	if !m.Enabled() {
		t.Fatal("not enabled")
	}
	if err := m.Ready("pod x\nrunning"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 256)
	srv.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := srv.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(buf[:n]); got != "READY=1\nSTATUS=pod x running" {
		t.Errorf("sent %q", got)
	}
}

func TestManagerDisabled(t *testing.T) {
	t.Setenv(EnvSocket, "")
	m := FromEnv()
	if m.Enabled() || m.Ready("x") != nil {
		t.Errorf("a manager without socket must do nothing")
	}
}

func TestListener(t *testing.T) {
	t.Chdir(t.TempDir())
	l, err := Listen("stage1/state/apps/a/notify")
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat("stage1/state/apps/a/notify/" + sockName)
	if err != nil || st.Mode().Perm() != 0o666 {
		t.Fatalf("socket: %v %v", st, err)
	}
	abs, _ := filepath.Abs("stage1/state/apps/a/notify/" + sockName)
	t.Setenv(EnvSocket, abs)
	m := FromEnv()
	if err := m.Send("STATUS=starting"); err != nil {
		t.Fatal(err)
	}
	if err := m.Send("STATUS=up\nREADY=1"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-l.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("READY=1 not seen")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	<-l.Done()
	if _, err := os.Stat("stage1/state/apps/a/notify/" + sockName); err == nil {
		t.Errorf("socket left after Close")
	}
}

func TestListenerClosedBeforeReady(t *testing.T) {
	l, err := Listen(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	select {
	case <-l.Ready():
		t.Fatal("ready without READY=1")
	case <-l.Done():
	}
}
