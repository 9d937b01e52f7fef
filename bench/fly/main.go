// Command fly times pod start with stage1-fly: `saturn run` of a one-app
// pod running /bin/true with the fly stage1, against the floor of what fly
// does (`unshare -m chroot ROOT /bin/true`) and against the default stage1,
// interleaved in the same run, and prints the medians and the ratios.
//
// Both saturn flavors run with --net=host, so the comparison is of the
// isolation each builds, not of networking.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"
)

const image = "saturn.io/bench/fly-true"

func main() {
	saturn := flag.String("saturn", "bin/saturn", "saturn binary (bin/ also holds stage1.aci and stage1-fly.aci)")
	busybox := flag.String("busybox", "/bin/busybox", "static busybox for the root filesystem")
	n := flag.Int("n", 30, "runs of each")
	flag.Parse()
	if err := run(*saturn, *busybox, *n); err != nil {
		fmt.Fprintln(os.Stderr, "bench fly:", err)
		os.Exit(1)
	}
}

type contender struct {
	name  string
	argv  []string
	times []time.Duration
}

func run(saturn, busybox string, n int) error {
	dir, err := os.MkdirTemp("", "saturn-bench-fly-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rootfs := filepath.Join(dir, "rootfs")
	if err := makeRootfs(rootfs, busybox); err != nil {
		return err
	}
	aci := filepath.Join(dir, "true.aci")
	if err := sh(saturn, "image", "build", rootfs, aci, "--name", image, "--label", "os=linux", "--label", "arch=amd64", "--exec", "/bin/true"); err != nil {
		return err
	}
	data := filepath.Join(dir, "data")
	fly := []string{saturn, "--dir", data, "run", "--net=host", "--stage1-from-dir=stage1-fly.aci"}
	dflt := []string{saturn, "--dir", data, "run", "--net=host"}
	// The first runs import the images; they are not timed.
	for _, c := range [][]string{fly, dflt} {
		if err := sh(c[0], append(c[1:], aci)...); err != nil {
			return err
		}
	}
	defer sh(saturn, "--dir", data, "gc", "--grace-period=0s")
	cs := []*contender{
		{name: "fly", argv: append(fly, image)},
		{name: "chroot", argv: []string{"unshare", "-m", "chroot", rootfs, "/bin/true"}},
		{name: "default", argv: append(dflt, image)},
	}
	for range n {
		for _, c := range cs {
			start := time.Now()
			if out, err := exec.Command(c.argv[0], c.argv[1:]...).CombinedOutput(); err != nil {
				return fmt.Errorf("%s: %v\n%s", c.name, err, out)
			}
			c.times = append(c.times, time.Since(start))
		}
	}
	report(cs, n)
	return nil
}

func report(cs []*contender, n int) {
	fmt.Printf("start to exit of /bin/true, %d runs each (median, min):\n", n)
	med := map[string]time.Duration{}
	for _, c := range cs {
		slices.Sort(c.times)
		med[c.name] = c.times[len(c.times)/2]
		fmt.Printf("  %-20s %8.2f ms  %8.2f ms\n", c.name, ms(med[c.name]), ms(c.times[0]))
	}
	fmt.Printf("  fly / chroot  = %.2f  (what saturn adds to the bare chroot)\n", ratio(med["fly"], med["chroot"]))
	fmt.Printf("  fly / default = %.2f  (fly against the default stage1)\n", ratio(med["fly"], med["default"]))
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// makeRootfs is busybox and /bin/true.
func makeRootfs(rootfs, busybox string) error {
	if err := os.MkdirAll(filepath.Join(rootfs, "bin"), 0o755); err != nil {
		return err
	}
	b, err := os.ReadFile(busybox)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(rootfs, "bin/busybox"), b, 0o755); err != nil {
		return err
	}
	return os.Symlink("busybox", filepath.Join(rootfs, "bin/true"))
}

func sh(name string, args ...string) error {
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s %v: %v\n%s", name, args, err, out)
	}
	return nil
}
