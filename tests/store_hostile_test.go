package tests

import (
	"archive/tar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStoreRefusesHostileImages: crafted archives are refused with one
// clear line, exit 254, and nothing is written outside the store.
func TestStoreRefusesHostileImages(t *testing.T) {
	e := newEnv(t)
	victim := t.TempDir()
	mf := &tar.Header{Name: "manifest", Typeflag: tar.TypeReg, Mode: 0o644,
		Linkname: `{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/evil"}`}
	cp := func(h tar.Header) *tar.Header { return &h }
	cases := map[string]struct {
		hdrs []*tar.Header
		want string
	}{
		"dotdot":   {[]*tar.Header{cp(*mf), {Name: "rootfs/../../../" + victim + "/x", Typeflag: tar.TypeReg, Linkname: "x"}}, `contains ".."`},
		"absolute": {[]*tar.Header{cp(*mf), {Name: victim + "/x", Typeflag: tar.TypeReg, Linkname: "x"}}, "absolute path"},
		"symlink escape": {[]*tar.Header{cp(*mf), {Name: "rootfs/l", Typeflag: tar.TypeSymlink, Linkname: victim},
			{Name: "rootfs/l/x", Typeflag: tar.TypeReg, Linkname: "x"}}, "a symlink"},
		"hardlink escape": {[]*tar.Header{cp(*mf), {Name: "rootfs/h", Typeflag: tar.TypeLink, Linkname: "/etc/shadow"}}, "absolute path"},
		"second manifest": {[]*tar.Header{cp(*mf), cp(*mf)}, "second manifest"},
		"isolator without value": {[]*tar.Header{{Name: "manifest", Typeflag: tar.TypeReg,
			Linkname: `{"acKind":"ImageManifest","acVersion":"0.8.11","name":"e","app":{"exec":["/x"],"user":"0","group":"0","isolators":[{"name":"resource/cpu"}]}}`}}, "has no value"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := e.run("fetch", storeTar(t, c.hdrs...))
			if r.code != 254 || !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want 254 and %q", r.code, r.stderr, c.want)
			}
			if strings.Contains(r.stderr, "panic") {
				t.Fatal(r.stderr)
			}
			if ents, _ := os.ReadDir(victim); len(ents) > 0 {
				t.Fatalf("wrote outside the store: %v", ents)
			}
			for _, d := range []string{"blobs", "images", "tmp"} {
				if ents := storeEntries(e, d); len(ents) > 0 {
					t.Fatalf("%s not empty: %v", d, ents)
				}
			}
		})
	}
	// Truncated compressed stream.
	good := storeBuild(t, e, storeRootfs(t, 20, 5000, "t"), "example.com/t")
	gz := filepath.Join(t.TempDir(), "t.aci.gz")
	full, err := exec.Command("gzip", "-c", good).Output()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(gz, full[:len(full)/2], 0o644)
	if msg := e.fails("fetch", gz); !strings.Contains(msg, "truncated gzip stream") {
		t.Fatalf("truncated gzip: %s", msg)
	}
	// A dependency cycle fails fast instead of hanging render.
	rootfs := storeRootfs(t, 1, 10, "cyc")
	e.ok("fetch", storeBuild(t, e, rootfs, "example.com/cyc-a", "--dependency", "example.com/cyc-b"))
	e.ok("fetch", storeBuild(t, e, rootfs, "example.com/cyc-b", "--dependency", "example.com/cyc-a"))
	if msg := e.fails("image", "tree", "example.com/cyc-a"); !strings.Contains(msg, "dependency cycle") {
		t.Fatalf("cycle: %s", msg)
	}
}
