package applog

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestAppendRecords(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	got := string(appendRecords(nil, now, Stdout, []byte("one\ntwo\npart")))
	want := "2026-01-02T03:04:05.000000006Z stdout F one\n" +
		"2026-01-02T03:04:05.000000006Z stdout F two\n" +
		"2026-01-02T03:04:05.000000006Z stdout P part\n"
	if got != want {
		t.Errorf("records:\n%s\nwant:\n%s", got, want)
	}
	if got := string(appendRecords(nil, now, Stderr, []byte("\n"))); got != "2026-01-02T03:04:05.000000006Z stderr F \n" {
		t.Errorf("empty line: %q", got)
	}
}

// Start copies an app's output to the log until the write ends close.
func TestStartWait(t *testing.T) {
	t.Chdir(t.TempDir())
	var s Set
	stdio, closeW, err := s.Start("app")
	if err != nil {
		t.Fatal(err)
	}
	if stdio[0] == 1 && stdio[1] == 2 {
		t.Skip("stdout and stderr are terminals: nothing is logged")
	}
	out := os.NewFile(stdio[0], "w1")
	out.Write([]byte("applog test: to stdout\n"))
	errw := os.NewFile(stdio[1], "w2")
	errw.Write([]byte("applog test: to stderr\n"))
	closeW()
	if !s.Wait(time.Minute) {
		t.Fatal("copies did not end")
	}
	b, err := os.ReadFile(Path("app"))
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	if !strings.Contains(log, " stdout F applog test: to stdout\n") || !strings.Contains(log, " stderr F applog test: to stderr\n") {
		t.Errorf("log:\n%s", log)
	}
}

func TestRotate(t *testing.T) {
	t.Chdir(t.TempDir())
	os.MkdirAll(Dir, 0o755)
	l := &file{path: Path("a"), users: 1}
	if err := l.open(); err != nil {
		t.Fatal(err)
	}
	l.write(Stdout, []byte("old\n"))
	l.size = MaxSize // as if full
	l.write(Stdout, []byte("new\n"))
	l.done()
	old, _ := os.ReadFile(Path("a") + ".1")
	cur, _ := os.ReadFile(Path("a"))
	if !strings.HasSuffix(string(old), " stdout F old\n") || !strings.HasSuffix(string(cur), " stdout F new\n") || strings.Contains(string(cur), "old") {
		t.Errorf("after rotation: .1=%q current=%q", old, cur)
	}
}
