package tests

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStoreLifecycle: build, fetch, list, render, verify, export, rm.
func TestStoreLifecycle(t *testing.T) {
	e := newEnv(t)
	rootfs := storeRootfs(t, 50, 1000, "life")
	aci := storeBuild(t, e, rootfs, "example.com/life", "--label", "version=1.0", "--env", "A=b")
	if again := storeBuild(t, e, rootfs, "example.com/life", "--label", "version=1.0", "--env", "A=b"); !sameFile(t, aci, again) {
		t.Fatal("image build is not deterministic")
	}
	id := strings.TrimSpace(e.ok("fetch", aci))
	if !strings.HasPrefix(id, "sha512-") || len(id) != 135 {
		t.Fatalf("fetch printed %q", id)
	}
	// The same image, compressed: stored once.
	raw, _ := os.ReadFile(aci)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	gzPath := filepath.Join(t.TempDir(), "life.aci.gz")
	os.WriteFile(gzPath, gz.Bytes(), 0o644)
	if id2 := strings.TrimSpace(e.ok("fetch", gzPath)); id2 != id {
		t.Fatalf("gzip fetch gave %s, want %s", id2, id)
	}
	if n := len(storeEntries(e, "blobs")); n != 1 {
		t.Fatalf("%d blobs, want 1", n)
	}

	list := e.ok("image", "list")
	if !strings.Contains(list, "IMPORT TIME") || !strings.Contains(list, "example.com/life:1.0") || !strings.Contains(list, id[:19]) {
		t.Fatalf("image list:\n%s", list)
	}
	if out := e.ok("image", "list", "--no-legend", "--full"); !strings.HasPrefix(out, id+" ") {
		t.Fatalf("list --no-legend --full:\n%s", out)
	}
	var imgs []map[string]any
	if err := json.Unmarshal([]byte(e.ok("image", "list", "--format=json")), &imgs); err != nil || len(imgs) != 1 || imgs[0]["id"] != id {
		t.Fatalf("list json: %v %v", imgs, err)
	}
	if mf := e.ok("image", "cat-manifest", "example.com/life:1.0"); !strings.Contains(mf, `"example.com/life"`) {
		t.Fatalf("cat-manifest:\n%s", mf)
	}

	tree := storeLines(e.ok("image", "tree", id[:20]))
	if len(tree) != 2 || !strings.HasPrefix(tree[0], "deps-sha512-") {
		t.Fatalf("image tree printed %q", tree)
	}
	if b, err := os.ReadFile(filepath.Join(tree[1], "bin", "app")); err != nil || !strings.Contains(string(b), "life") {
		t.Fatalf("tree rootfs: %v", err)
	}
	out := filepath.Join(t.TempDir(), "rendered")
	e.ok("image", "render", "example.com/life", out)
	if err := exec.Command("diff", "-r", "--no-dereference", rootfs, out).Run(); err != nil {
		t.Fatalf("rendered rootfs differs from the source: %v", err)
	}
	if v := e.ok("image", "verify", id); !strings.Contains(v, "ok (1 trees)") {
		t.Fatalf("verify: %s", v)
	}
	exp := filepath.Join(t.TempDir(), "out.aci")
	e.ok("image", "export", id, exp)
	if !sameFile(t, aci, exp) {
		t.Fatal("export differs from the built ACI")
	}

	e.ok("image", "rm", "example.com/life:1.0")
	if out := e.ok("image", "list", "--no-legend"); strings.TrimSpace(out) != "" {
		t.Fatalf("list after rm:\n%s", out)
	}
	for _, d := range []string{"blobs", "images", "trees"} {
		if ents := storeEntries(e, d); len(ents) > 0 {
			t.Errorf("%s left after rm: %v", d, ents)
		}
	}
	r := e.run("image", "rm", id)
	if r.code != 254 || !strings.Contains(r.stderr, "not found") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("second rm: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestStoreDependencies: an app image on a base image, rendered together.
func TestStoreDependencies(t *testing.T) {
	e := newEnv(t)
	base := storeRootfs(t, 5, 100, "base")
	os.WriteFile(filepath.Join(base, "os-release"), []byte("base"), 0o644)
	baseID := strings.TrimSpace(e.ok("fetch", storeBuild(t, e, base, "example.com/base")))
	app := storeRootfs(t, 0, 0, "app")
	e.ok("fetch", storeBuild(t, e, app, "example.com/app", "--dependency", baseID[:30]))
	out := filepath.Join(t.TempDir(), "r")
	e.ok("image", "render", "example.com/app", out)
	if b, _ := os.ReadFile(filepath.Join(out, "os-release")); string(b) != "base" {
		t.Fatal("dependency's file missing")
	}
	if b, _ := os.ReadFile(filepath.Join(out, "bin/app")); !strings.Contains(string(b), "app") {
		t.Fatal("upper image does not win")
	}
	// Without its base the app cannot render, and says why.
	e.ok("image", "rm", baseID)
	if msg := e.fails("image", "render", "example.com/app", filepath.Join(t.TempDir(), "x")); !strings.Contains(msg, "missing dependency example.com/base") {
		t.Fatalf("render without base: %s", msg)
	}
}

func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	x, err1 := os.ReadFile(a)
	y, err2 := os.ReadFile(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
