package tests

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/saturnpod/saturn/stage1/approot"
	"github.com/saturnpod/saturn/stage1/isolation/caps"
)

// hostHas lists the paths of ps this kernel has (the app can only be shown
// a mask over what exists).
func hostHas(ps []string) (files, dirs []string) {
	for _, p := range ps {
		if st, err := os.Stat(p); err == nil {
			if st.IsDir() {
				dirs = append(dirs, p)
			} else {
				files = append(files, p)
			}
		}
	}
	return files, dirs
}

// Kernel paths that leak or change host state are masked (a file reads as
// /dev/null, a dir is an empty read-only tmpfs) or read-only, as runc does;
// --insecure-options=paths leaves them alone.
func TestIsolationMaskedPaths(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	files, dirs := hostHas(approot.MaskedPaths())
	roFiles, roDirs := hostHas(approot.ReadOnlyPaths())
	if len(files) == 0 || len(dirs) == 0 || len(roDirs) == 0 {
		t.Fatalf("this kernel has none of the masked files %v or dirs %v", files, dirs)
	}
	args := []string{"--"}
	for _, f := range files {
		args = append(args, "--read="+f)
	}
	for _, d := range dirs {
		args = append(args, "--list="+d)
	}
	args = append(args, "--write=/proc/sys/kernel/domainname=owned", "---")
	// With every capability: only the read-only mount stops the write.
	r := oneProbe(t, e.ok(append([]string{"run", stage1Flag(), "--net=none", "--insecure-options=capabilities", probeACI(t)}, args...)...))
	for _, f := range files {
		got, ok := r.Files[f]
		if m, _ := r.mount(f); !ok || got != "" || m.Point != f {
			t.Errorf("%s is not masked: read %q (%v), mount %+v", f, got, ok, m)
		}
	}
	for _, d := range dirs {
		m, _ := r.mount(d)
		if len(r.Dirs[d]) != 0 || m.FSType != "tmpfs" || !strings.HasPrefix(m.Options, "ro") {
			t.Errorf("%s is not masked: entries %v, mount %+v", d, r.Dirs[d], m)
		}
	}
	for _, p := range append(roFiles, roDirs...) {
		if m, ok := r.mount(p); !ok || !strings.HasPrefix(m.Options, "ro") {
			t.Errorf("%s is not read-only: %+v", p, m)
		}
	}
	if !slices.ContainsFunc(r.Errors, func(s string) bool { return strings.Contains(s, "read-only file system") }) {
		t.Errorf("writing /proc/sys did not fail read-only: %v", r.Errors)
	}
	// --insecure-options=paths: the kernel's files as they are.
	r = oneProbe(t, e.ok(append([]string{"run", stage1Flag(), "--net=none", "--insecure-options=paths", probeACI(t)}, "--", "--list=/proc/acpi", "---")...))
	for _, p := range append(append(files, dirs...), append(roFiles, roDirs...)...) {
		if m, ok := r.mount(p); ok {
			t.Errorf("--insecure-options=paths: %s still covered: %+v", p, m)
		}
	}
	if m, _ := r.mount("/proc"); m.FSType != "proc" {
		t.Errorf("--insecure-options=paths: /proc %+v", m)
	}
	if r.Status["Seccomp"] != "2" || r.Status["CapBnd"] != capHex(caps.Default) {
		t.Errorf("--insecure-options=paths turned off more: %v", r.Status)
	}
}

// --readonly-rootfs: the app cannot write its root, its volumes stay
// writable, /dev/shm and /tmp of a volume too.
func TestIsolationReadOnlyRoot(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	vol := t.TempDir()
	r := oneProbe(t, e.ok("run", stage1Flag(), "--net=none", "--volume=v,kind=host,source="+vol,
		probeACI(t), "--readonly-rootfs", "--mount=volume=v,target=/data",
		"--", "--write=/etc/owned=x", "--write=/data/ok=yes", "--write=/dev/shm/ok=yes", "---"))
	if m, _ := r.mount("/"); !strings.HasPrefix(m.Options, "ro") {
		t.Errorf("root mount %+v", m)
	}
	if len(r.Errors) != 1 || !strings.Contains(r.Errors[0], "/etc/owned") || !strings.Contains(r.Errors[0], "read-only") {
		t.Errorf("want only the root write refused (read-only), got %v", r.Errors)
	}
	if b, err := os.ReadFile(filepath.Join(vol, "ok")); err != nil || string(b) != "yes" {
		t.Errorf("volume write: %q %v", b, err)
	}
	// Without the flag the root is writable.
	r = oneProbe(t, e.ok("run", stage1Flag(), "--net=none", probeACI(t), "--", "--write=/etc/owned=x", "---"))
	if len(r.Errors) != 0 {
		t.Errorf("writable root: %v", r.Errors)
	}
}
