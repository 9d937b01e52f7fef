package stage0

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/saturnpod/saturn/stage0/pod"
)

// GC on pod dirs as crashes leave them: an embryo nobody locked, an aborted
// prepare, prepared pods young and old, an exited pod whose stage1 is gone.
func TestGCStates(t *testing.T) {
	dir := t.TempDir()
	r, err := New(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Hour)
	mk := func(state, uuid string, age time.Time, manifest bool) {
		p := filepath.Join(dir, "pods", state, uuid)
		if err := os.MkdirAll(p, 0o750); err != nil {
			t.Fatal(err)
		}
		if manifest {
			os.WriteFile(pod.ManifestPath(p), []byte(`{"apps":[]}`), 0o640)
			os.Chtimes(pod.ManifestPath(p), age, age)
		}
		os.Chtimes(p, age, age)
	}
	const (
		embryoOld   = "00000000-0000-4000-8000-000000000001"
		embryoNew   = "00000000-0000-4000-8000-000000000002"
		aborted     = "00000000-0000-4000-8000-000000000003"
		preparedOld = "00000000-0000-4000-8000-000000000004"
		preparedNew = "00000000-0000-4000-8000-000000000005"
		exited      = "00000000-0000-4000-8000-000000000006"
	)
	mk(pod.DirEmbryo, embryoOld, old, false)
	mk(pod.DirEmbryo, embryoNew, time.Now(), false)
	mk(pod.DirPrepare, aborted, time.Now(), false)
	mk(pod.DirPrepared, preparedOld, old, true)
	mk(pod.DirPrepared, preparedNew, time.Now(), true)
	mk(pod.DirRun, exited, old, true)

	res, err := r.GC(GCOptions{GracePeriod: time.Hour, ExpirePrepared: time.Hour, MarkOnly: true})
	if err != nil || len(res.Failures) > 0 || len(res.Removed) > 0 {
		t.Fatalf("mark only: %+v %v", res, err)
	}
	marked := []string{embryoOld, aborted, preparedOld, exited}
	slices.Sort(res.Marked)
	if !slices.Equal(res.Marked, marked) {
		t.Fatalf("marked %v, want %v", res.Marked, marked)
	}
	st, _ := r.Status(exited)
	if st.State != pod.ExitedGarbage {
		t.Fatalf("exited pod is %s", st.State)
	}
	// Within the grace period the exited pod stays; the garbage goes.
	res, err = r.GC(GCOptions{GracePeriod: time.Hour, ExpirePrepared: time.Hour})
	if err != nil || len(res.Removed) != 3 || len(res.Failures) > 0 {
		t.Fatalf("gc: %+v %v", res, err)
	}
	// Past it, the exited pod is removed although its stage1 is gone.
	res, err = r.GC(GCOptions{ExpirePrepared: time.Hour})
	if err != nil || !slices.Equal(res.Removed, []string{exited}) {
		t.Fatalf("gc without grace: %+v %v", res, err)
	}
	left, _ := r.List()
	if len(left) != 2 || left[0].UUID != embryoNew || left[1].UUID != preparedNew {
		t.Fatalf("left %+v", left)
	}
}
