package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/internal/lock"
)

func TestResolve(t *testing.T) {
	s, _ := newStore(t)
	v1 := mustImport(t, s, mkTar(t, mf("example.com/app", `"labels":[{"name":"version","value":"1.0"},{"name":"os","value":"linux"}]`)))
	time.Sleep(10 * time.Millisecond)
	v2 := mustImport(t, s, mkTar(t, mf("example.com/app", `"labels":[{"name":"version","value":"2.0"},{"name":"os","value":"linux"}]`)))
	for ref, want := range map[string]string{
		"example.com/app":                  v2, // latest imported
		"example.com/app:1.0":              v1,
		"example.com/app:1.0,os=linux":     v1,
		"example.com/app,version=2.0":      v2,
		v1:                                 v1,
		v1[:20]:                            v1,
		strings.ToUpper("x")[:0] + v2[:30]: v2,
	} {
		if got, err := s.Resolve(ref); err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", ref, got, err, want)
		}
	}
	for ref, kind := range map[string]error{
		"example.com/app:3.0":                errdefs.ErrNotFound,
		"example.com/app:1.0,os=plan9":       errdefs.ErrNotFound,
		"example.com/other":                  errdefs.ErrNotFound,
		"sha512-" + strings.Repeat("0", 128): errdefs.ErrNotFound,
		"sha512-XYZ":                         errdefs.ErrInvalid,
		"sha512-":                            errdefs.ErrInvalid,
		"Bad Name":                           errdefs.ErrInvalid,
		"../../etc":                          errdefs.ErrInvalid,
	} {
		if _, err := s.Resolve(ref); !errors.Is(err, kind) {
			t.Errorf("Resolve(%q) = %v, want %v", ref, err, kind)
		}
	}
	// Two IDs sharing a prefix: ambiguous, and the error lists both.
	seen := map[byte]string{}
	for i := 0; ; i++ {
		id := mustImport(t, s, mkTar(t, mf(fmt.Sprintf("example.com/n%d", i))))
		c := id[len(IDPrefix)]
		if other, ok := seen[c]; ok {
			_, err := s.Resolve(id[:len(IDPrefix)+1])
			wantErr(t, err, errdefs.ErrAmbiguous, other)
			wantErr(t, err, errdefs.ErrAmbiguous, id)
			break
		}
		seen[c] = id
	}
}

func TestImportIsIdempotentAndRemoveCleans(t *testing.T) {
	s, _ := newStore(t)
	b := mkTar(t, mf("example.com/x"), dir("rootfs"), file("rootfs/a", "a"))
	id := mustImport(t, s, b)
	if id2 := mustImport(t, s, b); id2 != id {
		t.Fatal("second import, other ID")
	}
	if !IsID(id) {
		t.Fatalf("bad id %q", id)
	}
	m, err := s.Manifest(id)
	if err != nil || m.Name.String() != "example.com/x" {
		t.Fatalf("manifest: %v %v", m, err)
	}
	treeID, _, err := s.RenderTree(id)
	if err != nil {
		t.Fatal(err)
	}
	// A tree in use survives rm; the image goes.
	if err := s.Remove(id, func(tid string) bool { return tid == treeID }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resolve(id); !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("removed image resolves: %v", err)
	}
	if _, err := s.TreeRootfs(treeID); err != nil {
		t.Fatalf("tree in use removed: %v", err)
	}
	if err := s.Remove(id, nil); !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("second rm: %v", err)
	}
	// gc: the tree lost its image and nobody uses it.
	res, err := s.GC(time.Hour, nil)
	if err != nil || len(res.Trees) != 1 {
		t.Fatalf("gc: %+v %v", res, err)
	}
	for _, d := range []string{"blobs", "images", "trees", "tmp", "refs", "locks"} {
		if ents, _ := os.ReadDir(filepath.Join(s.dir, d)); len(ents) > 0 {
			t.Errorf("%s left: %s", d, ents[0].Name())
		}
	}
}

func TestGCGracePeriod(t *testing.T) {
	s, _ := newStore(t)
	old := mustImport(t, s, mkTar(t, mf("example.com/old")))
	fresh := mustImport(t, s, mkTar(t, mf("example.com/fresh")))
	past := time.Now().Add(-48 * time.Hour)
	os.Chtimes(filepath.Join(s.imageDir(old), "info"), past, past)
	res, err := s.GC(24*time.Hour, nil)
	if err != nil || len(res.Images) != 1 || res.Images[0] != old {
		t.Fatalf("gc: %+v %v", res, err)
	}
	if _, err := s.Resolve(fresh); err != nil {
		t.Fatal("fresh image collected")
	}
	// A tree just rendered survives a grace period shorter than a minute
	// (a pod may be about to record it); once older than that it goes.
	treeID, _, err := s.RenderTree(fresh)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := s.GC(10*time.Second, nil); len(res.Trees) != 0 || len(res.Images) != 0 {
		t.Fatalf("fresh tree collected: %+v", res)
	}
	os.Chtimes(filepath.Join(s.treeDir(treeID), renderedFile), past, past)
	if res, _ := s.GC(time.Hour*100, func(string) bool { return true }); len(res.Trees) != 0 {
		t.Fatal("tree in use collected")
	}
	if res, _ := s.GC(time.Hour*100, nil); len(res.Trees) != 0 {
		t.Fatal("tree within the grace period collected")
	}
	if res, _ := s.GC(10*time.Second, nil); len(res.Trees) != 1 {
		t.Fatalf("old unused tree kept: %+v", res)
	}
}

// TestLeftoversOfKilledProcessesAreCleaned fakes what SIGKILL leaves at
// each step: a temporary entry (lock free), a blob and a reference never
// committed, a stray tree without marker.
func TestLeftoversOfKilledProcessesAreCleaned(t *testing.T) {
	s, data := newStore(t)
	tmpDir := filepath.Join(s.dir, "tmp", "deadbeef")
	os.MkdirAll(filepath.Join(tmpDir, "tree/rootfs"), 0o755)
	os.WriteFile(tmpDir+".lock", nil, 0o600)
	os.MkdirAll(filepath.Join(s.dir, "tmp", "nolock"), 0o755)
	live, err := s.newTemp() // a live process's entry must stay
	if err != nil {
		t.Fatal(err)
	}
	fakeID := IDPrefix + strings.Repeat("ab", 64)
	os.WriteFile(s.blobPath(fakeID), []byte("x"), 0o444)
	s.addRef("example.com/ghost", fakeID)
	s2, err := Open(data)
	if err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(filepath.Join(s.dir, "tmp"))
	if len(ents) != 2 { // live entry and its lock
		t.Fatalf("tmp after Open: %v", ents)
	}
	if _, err := s2.Resolve("example.com/ghost"); !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("uncommitted image resolves: %v", err)
	}
	for _, d := range []string{"blobs", "refs"} {
		if ents, _ := os.ReadDir(filepath.Join(s.dir, d)); len(ents) > 0 {
			t.Errorf("Open left %s/%s", d, ents[0].Name())
		}
	}
	live.remove()
	if _, err := s2.GC(time.Hour, nil); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"blobs", "refs", "tmp", "locks"} {
		if ents, _ := os.ReadDir(filepath.Join(s.dir, d)); len(ents) > 0 {
			t.Errorf("%s left: %s", d, ents[0].Name())
		}
	}
	// A held image lock keeps gc away from an import in progress.
	os.WriteFile(s.blobPath(fakeID), []byte("x"), 0o444)
	l, _ := lock.Exclusive(s.imageLock(fakeID))
	s2.GC(time.Hour, nil)
	if _, err := os.Stat(s.blobPath(fakeID)); err != nil {
		t.Fatal("gc removed the blob of an import in progress")
	}
	l.Unlock()
}

func TestConcurrentImportRenderRemove(t *testing.T) {
	s, data := newStore(t)
	imgs := [][]byte{
		mkTar(t, mf("example.com/a"), dir("rootfs"), file("rootfs/a", strings.Repeat("a", 100000))),
		mkTar(t, mf("example.com/b"), dir("rootfs"), file("rootfs/b", strings.Repeat("b", 100000))),
	}
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(data) // as a separate process would
			if err != nil {
				errs <- err
				return
			}
			for i := range 20 {
				id, err := s.Import(bytes.NewReader(imgs[(w+i)%2]))
				if err != nil {
					errs <- err
					continue
				}
				switch (w + i) % 3 {
				case 0:
					_, _, err = s.RenderTree(id)
				case 1:
					err = s.Remove(id, nil)
				case 2:
					_, err = s.GC(time.Hour, nil)
				}
				if err != nil && !errors.Is(err, errdefs.ErrNotFound) {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range list {
		if _, _, err := s.RenderTree(img.ID); err != nil {
			t.Fatal(err)
		}
		rep, err := s.Verify(img.ID)
		if err != nil || len(rep.Problems) > 0 {
			t.Fatalf("verify %s: %+v %v", img.ID, rep, err)
		}
	}
}

// TestKilledRemoveIsFinishedByNextOpen fakes an `image rm` killed after the
// image dir moved away but before its blob and reference went: its dead
// temporary entry makes the next Open remove them. Without such an entry,
// Open does not walk the store, and gc still finds the orphans.
func TestKilledRemoveIsFinishedByNextOpen(t *testing.T) {
	s, data := newStore(t)
	id, err := s.Import(bytes.NewReader(mkTar(t, mf("example.com/rm-killed"), dir("rootfs"))))
	if err != nil {
		t.Fatal(err)
	}
	tmp, err := s.newTemp()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.discardInto(tmp, s.imageDir(id)); err != nil {
		t.Fatal(err)
	}
	tmp.l.Unlock() // the remover dies: its entry stays, its lock is free
	if _, err := Open(data); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"blobs", "refs", "tmp"} {
		if ents, _ := os.ReadDir(filepath.Join(s.dir, d)); len(ents) > 0 {
			t.Errorf("next Open left %s/%s", d, ents[0].Name())
		}
	}

	// An orphan with no dead entry beside it waits for gc.
	orphan := IDPrefix + strings.Repeat("cd", 64)
	os.WriteFile(s.blobPath(orphan), []byte("x"), 0o444)
	s2, err := Open(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.blobPath(orphan)); err != nil {
		t.Fatalf("Open walked the store with no dead process: %v", err)
	}
	if _, err := s2.GC(time.Hour, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.blobPath(orphan)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("gc left the orphan blob: %v", err)
	}
}
