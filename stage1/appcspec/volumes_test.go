package appcspec

import (
	"errors"
	"reflect"
	"testing"

	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/approot"
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
	want := []approot.Mount{
		{Source: "/srv/data", Target: "/data", ReadOnly: true, Recursive: false},
		{Source: "/var/log/app", Target: "/logs-elsewhere", ReadOnly: true, Recursive: true},
		{Source: "/pod/volumes/scratch", Target: "/tmp/scratch", Recursive: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	ra.App.MountPoints = append(ra.App.MountPoints, types.MountPoint{Name: "missing", Path: "/m"})
	if _, err := Mounts(pm, ra, func(string) string { return "" }); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("mount point without volume: %v", err)
	}
	pm.Volumes = append(pm.Volumes, types.Volume{Name: "missing", Kind: "tmpfs"})
	if _, err := Mounts(pm, ra, func(string) string { return "" }); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("unknown kind: %v", err)
	}
}

func TestEmptyVolumes(t *testing.T) {
	pm := &schema.PodManifest{Volumes: []types.Volume{
		{Name: "host", Kind: "host", Source: "/srv"},
		{Name: "plain", Kind: "empty"},
		{Name: "shared", Kind: "empty", Mode: ptr("1770"), UID: ptr(1234), GID: ptr(2345)},
	}}
	got, err := EmptyVolumes(pm)
	want := []approot.EmptyVolume{{Name: "plain", Mode: 0o755}, {Name: "shared", Mode: 0o1770, UID: 1234, GID: 2345}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
	pm.Volumes[1].Mode = ptr("rwx")
	if _, err := EmptyVolumes(pm); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("bad mode: %v", err)
	}
}
