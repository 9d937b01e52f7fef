package approot

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func ptr[T any](v T) *T { return &v }

func TestMounts(t *testing.T) {
	pm := &schema.PodManifest{Volumes: []types.Volume{
		{Name: "data", Kind: "host", Source: "/srv/data", ReadOnly: ptr(true), Recursive: ptr(false)},
		{Name: "scratch", Kind: "empty"},
		{Name: "logs", Kind: "host", Source: "/var/log/app"},
	}}
	ra := &schema.RuntimeApp{
		Name: "web",
		App: &types.App{MountPoints: []types.MountPoint{
			{Name: "logs", Path: "/var/log", ReadOnly: true},
			{Name: "scratch", Path: "/tmp/scratch"},
		}},
		Mounts: []schema.Mount{{Volume: "data", Path: "/data"}, {Volume: "logs", Path: "/logs-elsewhere"}},
	}
	got, err := Mounts(pm, ra, func(n string) string { return "/pod/volumes/" + n })
	if err != nil {
		t.Fatal(err)
	}
	want := []Mount{
		{Source: "/srv/data", Target: "/data", ReadOnly: true, Recursive: false},
		{Source: "/var/log/app", Target: "/logs-elsewhere", ReadOnly: true, Recursive: true},
		{Source: "/pod/volumes/scratch", Target: "/tmp/scratch", Recursive: true},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("mount %d: got %+v want %+v", i, got[i], want[i])
		}
	}
	ra.App.MountPoints = append(ra.App.MountPoints, types.MountPoint{Name: "missing", Path: "/m"})
	if _, err := Mounts(pm, ra, func(string) string { return "" }); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("mount point without volume: %v", err)
	}
}

func TestMakeEmpty(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vol")
	v := types.Volume{Name: "v", Kind: "empty", Mode: ptr("1770"), UID: ptr(1234), GID: ptr(2345)}
	if err := MakeEmpty(dir, v); err != nil {
		if os.Geteuid() != 0 {
			t.Skip("chown needs root")
		}
		t.Fatal(err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o770 || st.Mode()&os.ModeSticky == 0 {
		t.Errorf("mode %v", st.Mode())
	}
	// A second app (or run) keeps what is there.
	os.WriteFile(filepath.Join(dir, "keep"), nil, 0o644)
	if err := MakeEmpty(dir, v); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "keep")); err != nil {
		t.Errorf("existing volume emptied")
	}
	if err := MakeEmpty(dir+"2", types.Volume{Name: "v", Kind: "empty", Mode: ptr("rwx")}); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("bad mode: %v", err)
	}
}
