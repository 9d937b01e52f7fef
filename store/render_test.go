package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func readTree(t *testing.T, rootfs, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(rootfs, name))
	if err != nil {
		return "<missing>"
	}
	return string(b)
}

func TestRenderWithDependencies(t *testing.T) {
	s, _ := newStore(t)
	base := mustImport(t, s, mkTar(t, mf("example.com/base", `"labels":[{"name":"version","value":"1"}]`),
		dir("rootfs"), dir("rootfs/etc"), file("rootfs/etc/os", "base"), file("rootfs/etc/shared", "base"),
		symlink("rootfs/lib", "usr/lib"), file("rootfs/only-base", "base")))
	app := mustImport(t, s, mkTar(t, mf("example.com/app", `"dependencies":[{"imageName":"example.com/base","labels":[{"name":"version","value":"1"}]}]`),
		dir("rootfs"), dir("rootfs/etc"), file("rootfs/etc/shared", "app"), file("rootfs/app", "app")))
	treeID, rootfs, err := s.RenderTree(app)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"etc/os": "base", "etc/shared": "app", "app": "app", "only-base": "base"} {
		if got := readTree(t, rootfs, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if l, _ := os.Readlink(filepath.Join(rootfs, "lib")); l != "usr/lib" {
		t.Errorf("lib -> %q", l)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(rootfs), "rendered")); err != nil {
		t.Errorf("no rendered marker: %v", err)
	}
	// Rendered once: a second call finds the same tree.
	fi1, _ := os.Stat(filepath.Join(rootfs, "app"))
	treeID2, rootfs2, err := s.RenderTree(app)
	fi2, _ := os.Stat(filepath.Join(rootfs2, "app"))
	if err != nil || treeID2 != treeID || !os.SameFile(fi1, fi2) {
		t.Fatalf("second render: %v %s", err, treeID2)
	}
	if p, err := s.TreeRootfs(treeID); err != nil || p != rootfs {
		t.Fatalf("TreeRootfs = %q, %v", p, err)
	}
	rep, err := s.Verify(base)
	if err != nil || len(rep.Problems) != 0 || len(rep.Trees) != 1 {
		t.Fatalf("verify base: %+v %v", rep, err)
	}
	// image render: same content, into a plain directory.
	out := filepath.Join(t.TempDir(), "out")
	if err := s.Render(app, out); err != nil {
		t.Fatal(err)
	}
	if got := readTree(t, out, "etc/shared"); got != "app" {
		t.Errorf("render: etc/shared = %q", got)
	}
	// image extract: the app's own rootfs only.
	ex := filepath.Join(t.TempDir(), "ex")
	if err := s.Extract(app, ex); err != nil {
		t.Fatal(err)
	}
	if got := readTree(t, ex, "etc/os"); got != "<missing>" {
		t.Errorf("extract has a dependency's file")
	}
	if err := s.Extract(app, ex); err == nil {
		t.Errorf("extract into a non-empty dir succeeded")
	}
}

func TestRenderPathWhitelist(t *testing.T) {
	s, _ := newStore(t)
	mustImport(t, s, mkTar(t, mf("example.com/base"), dir("rootfs"), dir("rootfs/etc"),
		file("rootfs/etc/keep", "k"), file("rootfs/etc/drop", "d")))
	app := mustImport(t, s, mkTar(t, mf("example.com/app", `"dependencies":[{"imageName":"example.com/base"}]`, `"pathWhitelist":["/etc/keep","/app"]`),
		dir("rootfs"), file("rootfs/app", "a"), file("rootfs/notlisted", "n")))
	_, rootfs, err := s.RenderTree(app)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"etc/keep": "k", "etc/drop": "<missing>", "app": "a", "notlisted": "<missing>"} {
		if got := readTree(t, rootfs, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

func TestRenderRefusesCyclesAndMissingDependencies(t *testing.T) {
	s, _ := newStore(t)
	a := mustImport(t, s, mkTar(t, mf("example.com/a", `"dependencies":[{"imageName":"example.com/b"}]`), dir("rootfs")))
	done := make(chan error, 1)
	go func() { _, _, err := s.RenderTree(a); done <- err }()
	select {
	case err := <-done:
		wantErr(t, err, errdefs.ErrNotFound, "missing dependency example.com/b")
	case <-time.After(10 * time.Second):
		t.Fatal("render hangs")
	}
	mustImport(t, s, mkTar(t, mf("example.com/b", `"dependencies":[{"imageName":"example.com/c"}]`), dir("rootfs")))
	mustImport(t, s, mkTar(t, mf("example.com/c", `"dependencies":[{"imageName":"example.com/a"}]`), dir("rootfs")))
	go func() { _, _, err := s.RenderTree(a); done <- err }()
	select {
	case err := <-done:
		wantErr(t, err, errdefs.ErrInvalid, "dependency cycle")
	case <-time.After(10 * time.Second):
		t.Fatal("render of a cycle hangs")
	}
	self := mustImport(t, s, mkTar(t, mf("example.com/self", `"dependencies":[{"imageName":"example.com/self"}]`), dir("rootfs")))
	_, _, err := s.RenderTree(self)
	wantErr(t, err, errdefs.ErrInvalid, "dependency cycle")
	ents, _ := os.ReadDir(filepath.Join(s.dir, "trees"))
	if len(ents) != 0 {
		t.Errorf("trees left: %v", ents)
	}
}

func TestRenderDiamondBound(t *testing.T) {
	s, _ := newStore(t)
	s.SetLimits(Limits{MaxImageSize: 1 << 20, MaxEntries: 100, MaxManifestSize: 4096, MaxDependencies: 20})
	// Each level depends twice on the next: 2^levels images when flattened.
	prev := "example.com/l0"
	mustImport(t, s, mkTar(t, mf(prev), dir("rootfs")))
	for i := 1; i <= 6; i++ {
		name := "example.com/l" + string(rune('0'+i))
		dep := `{"imageName":"` + prev + `"}`
		prev2 := mustImport(t, s, mkTar(t, mf(name, `"dependencies":[`+dep+`,`+dep+`]`), dir("rootfs")))
		_ = prev2
		prev = name
	}
	_, _, err := s.RenderTree(prev)
	wantErr(t, err, errdefs.ErrInvalid, "more than 20 images")
}

func TestPartialTreeIsRedone(t *testing.T) {
	s, _ := newStore(t)
	id := mustImport(t, s, mkTar(t, mf("example.com/x"), dir("rootfs"), file("rootfs/a", "a")))
	treeID, rootfs, err := s.RenderTree(id)
	if err != nil {
		t.Fatal(err)
	}
	// Damage it as a crash of some other writer could: marker gone.
	os.Remove(filepath.Join(s.treeDir(treeID), renderedFile))
	os.Remove(filepath.Join(rootfs, "a"))
	if _, err := s.TreeRootfs(treeID); err == nil {
		t.Fatal("incomplete tree reported complete")
	}
	if _, rootfs, err = s.RenderTree(id); err != nil {
		t.Fatal(err)
	}
	if got := readTree(t, rootfs, "a"); got != "a" {
		t.Fatalf("a = %q after re-render", got)
	}
}

func TestHardlinksAndModes(t *testing.T) {
	s, _ := newStore(t)
	id := mustImport(t, s, mkTar(t, mf("example.com/x"), dir("rootfs"),
		ent{name: "rootfs/bin/tool", typ: '0', body: "#!/bin/sh\n", mode: 0o4755},
		ent{name: "rootfs/bin/alias", typ: '1', link: "rootfs/bin/tool"},
		ent{name: "rootfs/fifo", typ: '6', mode: 0o600}))
	_, rootfs, err := s.RenderTree(id)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := os.Stat(filepath.Join(rootfs, "bin/tool"))
	b, _ := os.Stat(filepath.Join(rootfs, "bin/alias"))
	if !os.SameFile(a, b) {
		t.Error("hardlink not kept")
	}
	if a.Mode()&os.ModeSetuid == 0 || a.Mode().Perm() != 0o755 {
		t.Errorf("mode %v", a.Mode())
	}
	if fi, err := os.Lstat(filepath.Join(rootfs, "fifo")); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("fifo: %v %v", fi, err)
	}
	rep, err := s.Verify(id)
	if err != nil || len(rep.Problems) != 0 {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	// Tamper: verify reports it.
	os.WriteFile(filepath.Join(rootfs, "bin/tool"), []byte("#!/bin/sh\nevil\n"), 0o755)
	os.WriteFile(filepath.Join(rootfs, "extra"), nil, 0o644)
	rep, _ = s.Verify(id)
	all := strings.Join(rep.Problems, "\n")
	if !strings.Contains(all, "rootfs/bin/tool: size") || !strings.Contains(all, "rootfs/extra: not in any image") {
		t.Fatalf("verify missed tampering: %q", all)
	}
}

// Archives made with "tar -C dir ." name everything "./...".
func TestDotSlashArchive(t *testing.T) {
	s, _ := newStore(t)
	m := mf("example.com/dot")
	m.name = "./manifest"
	id := mustImport(t, s, mkTar(t, dir("./"), m, dir("./rootfs/"), file("./rootfs/a", "a")))
	_, rootfs, err := s.RenderTree(id)
	if err != nil {
		t.Fatal(err)
	}
	if got := readTree(t, rootfs, "a"); got != "a" {
		t.Fatalf("a = %q", got)
	}
	if rep, err := s.Verify(id); err != nil || len(rep.Problems) > 0 {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}

// RenderTree records a use in the tree's marker and the image's info file,
// at most once per useResolution: starting pods in a row costs no
// metadata write each.
func TestRenderTreeRecordsUseCoarsely(t *testing.T) {
	s, _ := newStore(t)
	id := mustImport(t, s, mkTar(t, mf("example.com/used")))
	treeID, _, err := s.RenderTree(id)
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{filepath.Join(s.treeDir(treeID), renderedFile), filepath.Join(s.imageDir(id), "info")}
	mtimes := func() []time.Time {
		var ts []time.Time
		for _, p := range paths {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			ts = append(ts, fi.ModTime())
		}
		return ts
	}
	recent := time.Now().Add(-useResolution / 2)
	old := time.Now().Add(-2 * useResolution)
	for _, p := range paths {
		os.Chtimes(p, recent, recent)
	}
	if _, _, err := s.RenderTree(id); err != nil {
		t.Fatal(err)
	}
	for i, m := range mtimes() {
		if !m.Equal(recent) {
			t.Errorf("%s touched again within the resolution: %v", paths[i], m)
		}
	}
	for _, p := range paths {
		os.Chtimes(p, old, old)
	}
	if _, _, err := s.RenderTree(id); err != nil {
		t.Fatal(err)
	}
	for i, m := range mtimes() {
		if time.Since(m) > useResolution {
			t.Errorf("%s not touched: %v", paths[i], m)
		}
	}
}
