package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An image's symlinks are resolved inside its root: a hostile image cannot
// make stage1 mount on, read from or write to a host path.
func TestStage1HostileKernelFSLinks(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	host := t.TempDir()
	for _, dir := range []string{"dev", "proc", "sys"} {
		for _, target := range []string{"/", host, "../../../../../../" + host} {
			aci := customProbe(t, e, func(root string) {
				os.RemoveAll(filepath.Join(root, dir))
				if err := os.Symlink(target, filepath.Join(root, dir)); err != nil {
					t.Fatal(err)
				}
			})
			stderr := e.fails("run", stage1Flag(), "--net=none", aci)
			if !strings.Contains(stderr, "/"+dir) {
				t.Errorf("/%s -> %s: error does not name it: %s", dir, target, stderr)
			}
		}
	}
	if m := mountsWith(t, host); len(m) != 0 {
		t.Errorf("mounted on the host: %v", m)
	}
	if ents, _ := os.ReadDir(host); len(ents) != 0 {
		t.Errorf("host dir changed: %v", ents)
	}
}

func TestStage1HostilePasswdLink(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	host := t.TempDir()
	evil := filepath.Join(host, "passwd")
	if err := os.WriteFile(evil, []byte("evil:x:4242:4242::/:/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{evil, "../../../../../../../" + evil} {
		aci := customProbe(t, e, func(root string) {
			p := filepath.Join(root, "etc/passwd")
			os.Remove(p)
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
		})
		r := e.run("run", stage1Flag(), "--net=none", aci, "--user=evil")
		if r.code == 0 || strings.Contains(r.stdout, `"uid":4242`) {
			t.Errorf("/etc/passwd -> %s: the host's passwd was read: %d %s", target, r.code, r.stdout)
		}
	}
}

func TestStage1HostileMountTarget(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	host, vol := t.TempDir(), t.TempDir()
	for _, target := range []string{host, "../../../../../../../" + host} {
		aci := customProbe(t, e, func(root string) {
			if err := os.Symlink(target, filepath.Join(root, "data")); err != nil {
				t.Fatal(err)
			}
		})
		r := oneProbe(t, e.ok("run", stage1Flag(), "--net=none", "--volume=v,kind=host,source="+vol,
			aci, "--mount=volume=v,target=/data", "--", "--write=/data/file=in volume", "---"))
		if len(r.Errors) != 0 {
			t.Errorf("probe: %v", r.Errors)
		}
		if b, err := os.ReadFile(filepath.Join(vol, "file")); err != nil || string(b) != "in volume" {
			t.Errorf("target /data -> %s: the volume did not get the write: %q %v", target, b, err)
		}
		os.Remove(filepath.Join(vol, "file"))
	}
	if ents, _ := os.ReadDir(host); len(ents) != 0 {
		t.Errorf("host dir changed: %v", ents)
	}
	if m := mountsWith(t, host); len(m) != 0 {
		t.Errorf("mounted on the host: %v", m)
	}
}

// CVE-2019-5736 class: from inside the pod, root cannot reach the stage1
// binary through /proc/1/exe (the pod init is not dumpable) to overwrite it.
func TestStage1PodInitExeNotWritable(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	r := oneProbe(t, e.ok("run", stage1Flag(), "--net=none", probeACI(t), "--", "--write=/proc/1/exe=owned", "--read=/proc/1/environ", "---"))
	if len(r.Errors) != 2 {
		t.Errorf("want both /proc/1/exe and /proc/1/environ refused, got errors %v", r.Errors)
	}
}
