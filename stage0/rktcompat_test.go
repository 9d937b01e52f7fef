package stage0

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/saturnpod/saturn/stage0/pod"
)

func TestRktAppRoots(t *testing.T) {
	dir := t.TempDir()
	ps, err := pod.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ps.Create()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	os.WriteFile(pod.ManifestPath(p.Path()), []byte(`{"apps":[{"name":"a","image":{"id":"sha512-1"}}]}`), 0o644)
	os.MkdirAll(pod.AppInfoPath(p.Path(), "a"), 0o755)
	os.WriteFile(filepath.Join(pod.AppInfoPath(p.Path(), "a"), "lowerdir"), []byte("/trees/x/rootfs"), 0o644)

	s1 := &stage1Info{annotations: map[string]string{}}
	roots, err := rktAppRoots(p, s1)
	if err != nil || len(roots) != 1 || roots[0] != (appRoot{name: "a", lower: "/trees/x/rootfs"}) {
		t.Fatalf("rkt stage1: %+v %v", roots, err)
	}
	s1.annotations[annotationAppRoots] = "stage1"
	if roots, err := rktAppRoots(p, s1); err != nil || roots != nil {
		t.Fatalf("stage1 that mounts app roots itself: %+v %v", roots, err)
	}
}
