package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Each form of user and group: numbers, names from the image's own
// /etc/passwd and /etc/group, paths whose owner is taken.
func TestStage1Users(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	aci := customProbe(t, e, func(root string) {
		f := filepath.Join(root, "owned")
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(f, 4321, 8765); err != nil {
			t.Fatal(err)
		}
		os.Mkdir(filepath.Join(root, "work"), 0o755)
	})
	cases := []struct {
		user, group string
		uid, gid    int
	}{
		{"1234", "2345", 1234, 2345},
		{"probe", "extra", 1234, 3456},
		{"/owned", "/owned", 4321, 8765},
		{"root", "0", 0, 0},
	}
	for _, c := range cases {
		r := oneProbe(t, e.ok("run", stage1Flag(), "--net=none", aci, "--user="+c.user, "--group="+c.group, "--working-dir=/work"))
		if r.UID != c.uid || r.GID != c.gid {
			t.Errorf("user %s group %s: got %d:%d, want %d:%d", c.user, c.group, r.UID, r.GID, c.uid, c.gid)
		}
		if len(r.Groups) != 0 && !slices.Equal(r.Groups, []int{c.gid}) {
			t.Errorf("user %s: supplementary groups %v leaked from stage1", c.user, r.Groups)
		}
		if r.Cwd != "/work" {
			t.Errorf("cwd %q", r.Cwd)
		}
	}
	for _, bad := range [][]string{{"--user=nosuchuser"}, {"--group=nosuchgroup"}, {"--user=/no/such/path"}, {"--working-dir=/no/such/dir"}} {
		e.fails(append([]string{"run", stage1Flag(), "--net=none", aci}, bad...)...)
	}
}

// Supplementary GIDs come from the app's manifest (no CLI flag sets them):
// the test takes a pod's manifest, adds them, and runs it with
// --pod-manifest.
func TestStage1SupplementaryGIDs(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	uuidFile := filepath.Join(t.TempDir(), "uuid")
	e.ok("run", stage1Flag(), "--net=none", "--uuid-file-save="+uuidFile, probeACI(t), "--user=1234", "--group=2345")
	uuid, _ := os.ReadFile(uuidFile)
	var pm map[string]any
	if err := json.Unmarshal([]byte(e.ok("cat-manifest", strings.TrimSpace(string(uuid)))), &pm); err != nil {
		t.Fatal(err)
	}
	app := pm["apps"].([]any)[0].(map[string]any)["app"].(map[string]any)
	app["supplementaryGIDs"] = []int{5, 3456}
	b, _ := json.Marshal(pm)
	mf := filepath.Join(t.TempDir(), "pod.json")
	if err := os.WriteFile(mf, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r := oneProbe(t, e.ok("run", stage1Flag(), "--net=none", "--pod-manifest="+mf))
	slices.Sort(r.Groups)
	if r.UID != 1234 || r.GID != 2345 || !slices.Equal(r.Groups, []int{5, 3456}) {
		t.Errorf("uid %d gid %d groups %v, want 1234 2345 [5 3456]", r.UID, r.GID, r.Groups)
	}
}
