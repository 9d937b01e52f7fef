package tests

import (
	"os"
	"path/filepath"
	"slices"
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
