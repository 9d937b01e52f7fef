package appproc

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func TestEnvDefaults(t *testing.T) {
	app := &App{Environment: []string{"PATH=/x", "A=b"}}
	got := Env(app, "web")
	want := []string{"PATH=/x", "A=b", "AC_APP_NAME=web", "container=saturn"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q want %q", got, want)
	}
	if got := Env(&App{}, "a"); got[0] != "PATH="+DefaultPath {
		t.Fatalf("default PATH: %q", got)
	}
}

// Names need the image's /etc/passwd: covered by the functional tests,
// which run this inside the app's root. Numbers and paths work anywhere.
func TestCredentialNumbersAndPaths(t *testing.T) {
	c, err := Credential("1000", "1001", []int{5, 6})
	if err != nil || c.Uid != 1000 || c.Gid != 1001 || !slices.Equal(c.Groups, []uint32{5, 6}) {
		t.Fatalf("got %+v, %v", c, err)
	}
	f := filepath.Join(t.TempDir(), "owned")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(f, 4321, 8765); err != nil {
		t.Skip("chown needs root")
	}
	c, err = Credential(f, f, nil)
	if err != nil || c.Uid != 4321 || c.Gid != 8765 {
		t.Fatalf("got %+v, %v", c, err)
	}
	for _, bad := range [][2]string{{"", "0"}, {"4294967295", "0"}, {"0", "/missing/file"}, {"-1", "0"}} {
		if _, err := Credential(bad[0], bad[1], nil); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := Credential("0", "0", []int{-3}); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("negative supplementary gid: %v", err)
	}
}
