package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStoreGCKeepsTreesPodsUse: a tree recorded in a pod dir survives
// image rm and image gc; once no pod records it, gc removes it.
func TestStoreGCKeepsTreesPodsUse(t *testing.T) {
	e := newEnv(t)
	id := strings.TrimSpace(e.ok("fetch", storeBuild(t, e, storeRootfs(t, 3, 100, "gc"), "example.com/gc")))
	tree := storeLines(e.ok("image", "tree", id))
	ref := filepath.Join(e.dir, "pods", "run", "0f0e0d0c-0000-4000-8000-000000000001", "appsinfo", "app", "treeStoreID")
	os.MkdirAll(filepath.Dir(ref), 0o755)
	os.WriteFile(ref, []byte(tree[0]+"\n"), 0o644)

	e.ok("image", "rm", id)
	if _, err := os.Stat(tree[1]); err != nil {
		t.Fatalf("image rm removed a tree a pod uses: %v", err)
	}
	e.ok("image", "gc", "--grace-period=0s")
	if _, err := os.Stat(tree[1]); err != nil {
		t.Fatalf("image gc removed a tree a pod uses: %v", err)
	}
	os.RemoveAll(filepath.Join(e.dir, "pods"))
	if out := e.ok("image", "gc", "--grace-period=0s"); !strings.Contains(out, "removed tree "+tree[0]) {
		t.Fatalf("gc output: %q", out)
	}
	if _, err := os.Stat(tree[1]); err == nil {
		t.Fatal("unused tree of a removed image kept")
	}
	// An unused image is collected once past the grace period only.
	id = strings.TrimSpace(e.ok("fetch", storeBuild(t, e, storeRootfs(t, 1, 10, "gc2"), "example.com/gc2")))
	e.ok("image", "gc")
	if out := e.ok("image", "list", "--no-legend", "--full"); !strings.Contains(out, id) {
		t.Fatal("gc with the default grace period removed a fresh image")
	}
	if out := e.ok("image", "gc", "--grace-period=0s"); !strings.Contains(out, "removed image "+id) {
		t.Fatalf("gc --grace-period=0s: %q", out)
	}
}
