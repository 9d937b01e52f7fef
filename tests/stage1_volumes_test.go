package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStage1HostVolumes(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	rw, ro := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(ro, "data"), []byte("host data"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A mount under the source: recursive binds show it too.
	sub := filepath.Join(rw, "sub")
	os.Mkdir(sub, 0o755)
	r := oneProbe(t, e.ok("run", stage1Flag(), "--net=none",
		"--volume=rw,kind=host,source="+rw, "--volume=ro,kind=host,source="+ro+",readOnly=true",
		probeACI(t), "--mount=volume=rw,target=/data/rw", "--mount=volume=ro,target=/data/ro",
		"--", "--write=/data/rw/out=written", "--write=/data/ro/out=nope", "--read=/data/ro/data", "---"))
	if b, err := os.ReadFile(filepath.Join(rw, "out")); err != nil || string(b) != "written" {
		t.Errorf("write through a host volume: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(ro, "out")); err == nil {
		t.Errorf("wrote through a read-only volume")
	}
	if len(r.Errors) != 1 || !strings.Contains(r.Errors[0], "read-only file system") {
		t.Errorf("want one EROFS error, got %v", r.Errors)
	}
	if r.Files["/data/ro/data"] != "host data" {
		t.Errorf("read %q", r.Files["/data/ro/data"])
	}
	if m, ok := r.mount("/data/ro"); !ok || !strings.HasPrefix(m.Options, "ro") {
		t.Errorf("/data/ro mount: %+v", m)
	}
}

func TestStage1EmptyVolumeModeAndOwner(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	r := oneProbe(t, e.ok("run", stage1Flag(), "--net=none",
		"--volume=scratch,kind=empty,mode=0710,uid=1234,gid=2345",
		probeACI(t), "--mount=volume=scratch,target=/scratch", "--exec=/bin/sh",
		"--", "-c", "/bin/busybox stat -c 'mode=%a owner=%u:%g' /scratch > /tmp/st; exec /bin/probe --read=/tmp/st", "---"))
	if got := strings.TrimSpace(r.Files["/tmp/st"]); got != "mode=710 owner=1234:2345" {
		t.Errorf("empty volume: %q", got)
	}
}

func TestStage1MissingHostSource(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	missing := filepath.Join(t.TempDir(), "missing")
	stderr := e.fails("run", stage1Flag(), "--net=none", "--volume=v,kind=host,source="+missing,
		probeACI(t), "--mount=volume=v,target=/v")
	if !strings.Contains(stderr, missing) {
		t.Errorf("error does not name the missing source: %s", stderr)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("the missing source was created")
	}
}
