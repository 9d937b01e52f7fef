package nsthread

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// Namespace changes made in Run stay on its thread: the process keeps its own.
func TestRunIsolatesThread(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	before, _ := os.Readlink("/proc/thread-self/ns/uts")
	host, _ := os.Hostname()
	var inside string
	err := Run(func() error {
		if err := unix.Unshare(unix.CLONE_NEWUTS | unix.CLONE_NEWNS); err != nil {
			return err
		}
		inside, _ = os.Readlink("/proc/thread-self/ns/uts")
		return unix.Sethostname([]byte("saturn-test-nsthread"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if inside == before {
		t.Fatal("Run did not get a new UTS namespace")
	}
	for i := 0; i < 20; i++ { // whichever thread runs us now
		if h, _ := os.Hostname(); h != host {
			t.Fatalf("hostname leaked out of the thread: %q", h)
		}
		if ns, _ := os.Readlink("/proc/thread-self/ns/uts"); ns != before {
			t.Fatalf("a process thread is in the new namespace")
		}
	}
	fds, err := OpenNS(0, "uts", "mnt")
	if err != nil {
		t.Fatal(err)
	}
	defer CloseAll(fds)
	// Joining our own namespaces is allowed, also the mount namespace,
	// because the thread no longer shares its fs_struct.
	if err := Run(func() error { return Join(fds...) }); err != nil {
		t.Fatal(err)
	}
}
