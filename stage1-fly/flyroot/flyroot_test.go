package flyroot

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/stage1/approot"
	"github.com/saturnpod/saturn/stage1/podcfg"
)

// onThread runs fn on a locked thread of its own, which then dies with its
// namespaces.
func onThread(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread is discarded
		if err := unix.Unshare(unix.CLONE_FS); err != nil {
			errc <- err
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// mountsUnder lists the mount points below dir in the calling thread's namespace.
func mountsUnder(t *testing.T, dir string) []string {
	b, err := os.ReadFile("/proc/thread-self/mountinfo")
	if err != nil {
		t.Error(err)
		return nil
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			out = append(out, f[4])
		}
	}
	return out
}

// podSpec lays out a pod's dirs under dir: an image tree, overlay
// upper/work, a volume.
func podSpec(t *testing.T, dir string, mod func(lower string)) *approot.Spec {
	s := &approot.Spec{
		Root: filepath.Join(dir, "root"), Lower: filepath.Join(dir, "lower"),
		Upper: filepath.Join(dir, "upper"), Work: filepath.Join(dir, "work"),
		Hostname: "host", DNS: podcfg.DNSMode{Resolv: "none", Hosts: "default"},
		Mounts: []approot.Mount{{Source: filepath.Join(dir, "vol"), Target: "/vol", Recursive: true}},
	}
	for _, d := range []string{s.Lower + "/etc", s.Upper, s.Work, filepath.Join(dir, "vol")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if mod != nil {
		mod(s.Lower)
	}
	return s
}

// The namespace the pod starts from may have shared mounts (a systemd host
// has "/" shared): Setup's mounts must still not reach it. The test makes
// such a namespace with the pod dir on a shared tmpfs, builds the root from
// a thread that joined it, and looks at the mount table it left behind.
func TestSetupPropagatesNothing(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	dir := t.TempDir()
	nsc := make(chan int, 1)
	done := make(chan []string)
	errc := make(chan error, 1)
	go func() {
		errc <- onThread(func() error {
			if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
				return err
			}
			if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
				return err
			}
			if err := unix.Mount("tmpfs", dir, "tmpfs", 0, ""); err != nil {
				return err
			}
			if err := unix.Mount("", dir, "", unix.MS_SHARED, ""); err != nil {
				return err
			}
			ns, err := unix.Open("/proc/thread-self/ns/mnt", unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				return err
			}
			nsc <- ns
			<-done
			done <- mountsUnder(t, dir)
			return nil
		})
	}()
	var ns int
	select {
	case ns = <-nsc:
	case err := <-errc:
		t.Fatal(err)
	}
	defer unix.Close(ns)
	var inside []string
	err := onThread(func() error {
		if err := unix.Setns(ns, unix.CLONE_NEWNS); err != nil {
			return err
		}
		s := podSpec(t, dir, nil)
		if err := Setup(s); err != nil {
			return err
		}
		inside = mountsUnder(t, dir)
		return nil
	})
	done <- nil
	left := <-done
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, p := range []string{"", "/dev", "/proc", "/sys", "/tmp", "/vol"} {
		want[filepath.Join(dir, "root")+p] = true
	}
	for _, m := range inside {
		delete(want, m)
	}
	if len(want) > 0 {
		t.Errorf("mounts missing in the app's namespace: %v (has %v)", want, inside)
	}
	if len(left) > 0 {
		t.Errorf("mounts propagated to the namespace the pod started from: %v", left)
	}
}

// An image cannot move where the host's kernel filesystems land.
func TestSetupRefusesSymlinkedProc(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	dir := t.TempDir()
	err := onThread(func() error {
		s := podSpec(t, dir, func(lower string) {
			if err := os.Symlink("/etc", filepath.Join(lower, "proc")); err != nil {
				t.Error(err)
			}
		})
		return Setup(s)
	})
	if err == nil || !strings.Contains(err.Error(), "/proc") {
		t.Errorf("Setup with /proc -> /etc in the image: %v, want an error about /proc", err)
	}
}
