package pod

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func newPods(t *testing.T) *Pods {
	t.Helper()
	ps, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func state(t *testing.T, p *Pod) State {
	t.Helper()
	st, err := p.State()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestLifecycleStates(t *testing.T) {
	ps := newPods(t)
	p, err := ps.Create()
	if err != nil {
		t.Fatal(err)
	}
	if p.StateDir() != DirPrepare || !p.Locked() {
		t.Fatalf("new pod in %s, locked %v", p.StateDir(), p.Locked())
	}
	// Another handle sees what other processes see.
	other := func() *Pod {
		q, err := ps.Get(p.UUID)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	if st := state(t, other()); st != Preparing {
		t.Fatalf("state %s, want preparing", st)
	}
	p.Close()
	if st := state(t, other()); st != AbortedPrepare {
		t.Fatalf("state %s, want aborted prepare", st)
	}
	steps := []struct {
		dir            string
		locked, unlock State
	}{
		{DirPrepared, Prepared, Prepared},
		{DirRun, Running, Exited},
		{DirExitedGarbage, Deleting, ExitedGarbage},
		{DirGarbage, Deleting, Garbage},
	}
	for _, s := range steps {
		if err := p.Lock(); err != nil {
			t.Fatal(err)
		}
		if err := p.Transition(s.dir); err != nil {
			t.Fatal(err)
		}
		if st := state(t, other()); st != s.locked {
			t.Errorf("%s locked: state %s, want %s", s.dir, st, s.locked)
		}
		p.Close()
		if st := state(t, other()); st != s.unlock {
			t.Errorf("%s unlocked: state %s, want %s", s.dir, st, s.unlock)
		}
	}
	if err := p.Lock(); err != nil {
		t.Fatal(err)
	}
	if err := p.Remove(); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if _, err := ps.Get(p.UUID); !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("removed pod: %v, want not found", err)
	}
}

func TestGetPrefixAndErrors(t *testing.T) {
	ps := newPods(t)
	a := mkPod(t, ps, DirRun, "aaaaaaaa-0000-4000-8000-000000000001")
	mkPod(t, ps, DirPrepared, "aaaaaaaa-0000-4000-8000-000000000002")
	mkPod(t, ps, DirGarbage, "bbbbbbbb-0000-4000-8000-000000000003")
	os.WriteFile(filepath.Join(ps.Root(), DirRun, "not-a-pod"), nil, 0o644)

	p, err := ps.Get("aaaaaaaa-0000-4000-8000-000000000001")
	if err != nil || p.UUID != a || p.StateDir() != DirRun {
		t.Fatalf("full UUID: %v %v", p, err)
	}
	p, err = ps.Get("AAAAAAAA000040008000000000000001")
	if err != nil || p.UUID != a {
		t.Fatalf("upper case UUID without dashes: %v", err)
	}
	if p, err = ps.Get("bbb"); err != nil || p.StateDir() != DirGarbage {
		t.Fatalf("prefix: %v %v", p, err)
	}
	if _, err = ps.Get("aaaa"); !errors.Is(err, errdefs.ErrAmbiguous) || !strings.Contains(err.Error(), "000000000002") {
		t.Fatalf("ambiguous prefix: %v", err)
	}
	if _, err = ps.Get("cc"); !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("unknown prefix: %v", err)
	}
	if _, err = ps.Get("../x"); !errors.Is(err, errdefs.ErrInvalid) {
		t.Fatalf("bad ref: %v", err)
	}
	all, err := ps.List()
	if err != nil || len(all) != 3 {
		t.Fatalf("list: %d pods, %v (stray file must not count)", len(all), err)
	}
}

func mkPod(t *testing.T, ps *Pods, dir, uuid string) string {
	t.Helper()
	if err := os.Mkdir(filepath.Join(ps.Root(), dir, uuid), 0o750); err != nil {
		t.Fatal(err)
	}
	return uuid
}

// Two handles race to move one prepared pod: exactly one wins, and the
// loser learns where the pod went.
func TestRacingTransitions(t *testing.T) {
	ps := newPods(t)
	for range 20 {
		u := mkPod(t, ps, DirPrepared, mustUUID(t))
		var wg sync.WaitGroup
		wins := make(chan string, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p, err := ps.Get(u)
				if err != nil {
					return
				}
				if p.Lock() != nil {
					return
				}
				defer p.Close()
				if p.StateDir() != DirPrepared {
					return
				}
				if err := p.Transition(DirRun); err == nil {
					wins <- u
				}
			}()
		}
		wg.Wait()
		close(wins)
		if n := len(wins); n != 1 {
			t.Fatalf("%d winners, want 1", n)
		}
		if _, err := os.Stat(filepath.Join(ps.Root(), DirRun, u)); err != nil {
			t.Fatal(err)
		}
	}
}

func mustUUID(t *testing.T) string {
	u, err := newUUID()
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// A lock held elsewhere makes Lock fail with ErrBusy, not hang.
func TestLockBusy(t *testing.T) {
	ps := newPods(t)
	u := mkPod(t, ps, DirRun, mustUUID(t))
	fd, err := unix.Open(filepath.Join(ps.Root(), DirRun, u), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Flock(fd, unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	p, _ := ps.Get(u)
	if st := state(t, p); st != Running {
		t.Fatalf("state %s, want running", st)
	}
	if err := p.Lock(); !errors.Is(err, errdefs.ErrBusy) {
		t.Fatalf("lock of held pod: %v", err)
	}
	unix.Flock(fd, unix.LOCK_UN)
	if st := state(t, p); st != Exited {
		t.Fatalf("state %s, want exited", st)
	}
}

func TestFiles(t *testing.T) {
	ps := newPods(t)
	p, _ := ps.Get(mkPod(t, ps, DirRun, mustUUID(t)))
	dir := p.Path()
	if _, err := p.PID(); !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("pid before stage1 wrote it: %v", err)
	}
	os.WriteFile(PIDPath(dir), []byte("1234\n"), 0o644)
	if pid, err := p.PID(); err != nil || pid != 1234 {
		t.Fatalf("pid %d %v", pid, err)
	}
	// A stage1 that writes ppid: the pid is its single child's.
	os.Remove(PIDPath(dir))
	child := exec.Command("sleep", "10")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { child.Process.Kill(); child.Wait() }()
	os.WriteFile(PPIDPath(dir), []byte(strconv.Itoa(os.Getpid())), 0o644)
	if pid, err := p.PID(); err != nil || pid != child.Process.Pid {
		t.Fatalf("pid via ppid: %d %v, want %d", pid, err, child.Process.Pid)
	}
	up := StatusDirs(dir)[0]
	os.MkdirAll(up, 0o755)
	os.WriteFile(filepath.Join(up, "a"), []byte("42"), 0o644)
	os.WriteFile(filepath.Join(up, "b"), []byte("garbage"), 0o644)
	codes, at := p.ExitStatuses()
	if len(codes) != 1 || codes["a"] != 42 || at.IsZero() {
		t.Fatalf("statuses %v at %v", codes, at)
	}
}

func TestManifestBeingWritten(t *testing.T) {
	ps := newPods(t)
	p, _ := ps.Get(mkPod(t, ps, DirPrepare, mustUUID(t)))
	if _, err := p.ManifestBytes(); !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("no manifest: %v", err)
	}
	// stage0 creates it, then writes it with one write: empty means not yet.
	os.WriteFile(ManifestPath(p.Path()), nil, 0o640)
	if _, err := p.ManifestBytes(); !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("empty manifest: %v", err)
	}
	os.WriteFile(ManifestPath(p.Path()), []byte(`{"apps":[]}`), 0o640)
	if b, err := p.ManifestBytes(); err != nil || len(b) == 0 {
		t.Fatalf("manifest: %q %v", b, err)
	}
}

func TestMoveThenSync(t *testing.T) {
	ps := newPods(t)
	p, err := ps.Create()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Move(DirRun); err != nil {
		t.Fatal(err)
	}
	if p.StateDir() != DirRun {
		t.Fatalf("state dir %s after Move", p.StateDir())
	}
	if _, err := os.Stat(filepath.Join(ps.Root(), DirRun, p.UUID)); err != nil {
		t.Fatal(err)
	}
	if err := p.SyncState(); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if err := p.Move(DirGarbage); !errors.Is(err, errdefs.ErrWrongState) {
		t.Fatalf("Move without the lock: %v", err)
	}
}
