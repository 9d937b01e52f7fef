// Package benchutil holds what the bench programs share: running commands,
// building a busybox root filesystem and image, timing contenders
// interleaved, and the median and percentiles of the times.
package benchutil

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"
)

// Exit prints err prefixed by the bench's name and exits 1; nil does nothing.
func Exit(name string, err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// Sh runs a command and returns its combined output in the error.
func Sh(name string, args ...string) error {
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s %v: %v\n%s", name, args, err, out)
	}
	return nil
}

// MakeRootfs writes busybox to rootfs/bin/busybox and links each of
// applets (default: true) to it.
func MakeRootfs(rootfs, busybox string, applets ...string) error {
	// The directories any distribution's image has: a runtime mounts on
	// proc, sys and dev and writes resolv.conf and hosts in etc. Without
	// them each run makes them again (in its overlay's upper dir for
	// saturn; once for good in the shared root for runc and crun).
	for _, d := range []string{"bin", "dev", "etc", "proc", "sys", "tmp"} {
		if err := os.MkdirAll(filepath.Join(rootfs, d), 0o755); err != nil {
			return err
		}
	}
	b, err := os.ReadFile(busybox)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(rootfs, "bin/busybox"), b, 0o755); err != nil {
		return err
	}
	if len(applets) == 0 {
		applets = []string{"true"}
	}
	for _, l := range applets {
		if err := os.Symlink("busybox", filepath.Join(rootfs, "bin", l)); err != nil {
			return err
		}
	}
	return nil
}

// BuildImage builds rootfs into the image aci named name, for linux/amd64,
// running exec.
func BuildImage(saturn, rootfs, aci, name, exec string) error {
	return Sh(saturn, "image", "build", rootfs, aci, "--name", name,
		"--label", "os=linux", "--label", "arch=amd64", "--exec", exec)
}

// Contender is one side of a comparison: Cmd(i) is its i-th run.
type Contender struct {
	Name  string
	Cmd   func(i int) *exec.Cmd
	Times []time.Duration
}

// Argv is a Contender's Cmd that runs argv each time.
func Argv(argv ...string) func(int) *exec.Cmd {
	return func(int) *exec.Cmd { return exec.Command(argv[0], argv[1:]...) }
}

// Interleave runs every contender n times, one run of each in turn, and
// records the wall times. With rotate, the order of each round starts one
// contender later: a contender then does not always follow the same one.
func Interleave(cs []*Contender, n int, rotate bool) error {
	for i := range n {
		for k := range cs {
			c := cs[k]
			if rotate {
				c = cs[(i+k)%len(cs)]
			}
			d, err := Time(c.Cmd(i))
			if err != nil {
				return fmt.Errorf("%s: %w", c.Name, err)
			}
			c.Times = append(c.Times, d)
		}
	}
	return nil
}

// Time runs c and returns its wall time; a failure carries its output.
func Time(c *exec.Cmd) (time.Duration, error) {
	start := time.Now()
	if out, err := c.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("%v\n%s", err, out)
	}
	return time.Since(start), nil
}

// Sorted returns a sorted copy of ds.
func Sorted(ds []time.Duration) []time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s
}

// Median is the median of ds (the upper one of an even count).
func Median(ds []time.Duration) time.Duration { return Percentile(ds, 50) }

// Min is the smallest of ds.
func Min(ds []time.Duration) time.Duration { return slices.Min(ds) }

// Percentile is the p-th percentile of ds: the element at len*p/100 once
// sorted.
func Percentile(ds []time.Duration, p int) time.Duration {
	s := Sorted(ds)
	return s[len(s)*p/100]
}

// Ms is d in milliseconds, to the microsecond.
func Ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Flags are the flags the start-time benches share.
type Flags struct {
	Saturn  string // -saturn: the saturn binary
	Busybox string // -busybox: a static busybox for the root filesystem
	N       int    // -n: timed runs of each contender
}

// AddFlags defines -saturn, -busybox and -n (default n) on the command
// line's flag set; flag.Parse fills them in.
func AddFlags(n int) *Flags {
	f := &Flags{}
	flag.StringVar(&f.Saturn, "saturn", "bin/saturn", "saturn binary (bin/ also holds the stage1 images)")
	flag.StringVar(&f.Busybox, "busybox", "/bin/busybox", "static busybox for the root filesystem")
	flag.IntVar(&f.N, "n", n, "timed runs of each contender")
	return f
}

// WorkDir is where the benchmarks keep saturn's data and their files: on
// the disk, like saturn's default data dir (/var/lib/saturn), where /tmp
// may be a tmpfs. On disk a pod start creates a few dozen files and
// directories. On the VMs saturn is developed on (ext4 without a journal)
// each costs from 20 µs to over 300 µs where files were deleted in the
// last minutes: the inode allocator steps over those one by one. saturn
// puts its pods away from such places (package internal/topdir), but the
// benchmarks' own files pay it. Compare contenders within one run.
// SATURN_BENCH_DIR overrides it: a tmpfs there takes the disk out of the
// measure.
const WorkDir = "/var/tmp"

// TempDir makes a fresh directory in WorkDir, or in SATURN_BENCH_DIR.
func TempDir(prefix string) (string, error) {
	dir := os.Getenv("SATURN_BENCH_DIR")
	if dir == "" {
		dir = WorkDir
	}
	return os.MkdirTemp(dir, prefix)
}
