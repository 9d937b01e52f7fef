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
	"path/filepath"
	"time"

	"github.com/saturnpod/saturn/bench/internal/benchutil"
)

const image = "saturn.io/bench/fly-true"

func main() {
	f := benchutil.AddFlags(30)
	flag.Parse()
	benchutil.Exit("bench fly", run(f.Saturn, f.Busybox, f.N))
}

func run(saturn, busybox string, n int) error {
	dir, err := benchutil.TempDir("saturn-bench-fly-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rootfs := filepath.Join(dir, "rootfs")
	if err := benchutil.MakeRootfs(rootfs, busybox); err != nil {
		return err
	}
	aci := filepath.Join(dir, "true.aci")
	if err := benchutil.BuildImage(saturn, rootfs, aci, image, "/bin/true"); err != nil {
		return err
	}
	data := filepath.Join(dir, "data")
	fly := []string{saturn, "--dir", data, "run", "--net=host", "--stage1-from-dir=stage1-fly.aci"}
	dflt := []string{saturn, "--dir", data, "run", "--net=host"}
	// The first runs import the images; they are not timed.
	for _, c := range [][]string{fly, dflt} {
		if err := benchutil.Sh(c[0], append(c[1:], aci)...); err != nil {
			return err
		}
	}
	defer benchutil.Sh(saturn, "--dir", data, "gc", "--grace-period=0s")
	cs := []*benchutil.Contender{
		{Name: "fly", Cmd: benchutil.Argv(append(fly, image)...)},
		{Name: "chroot", Cmd: benchutil.Argv("unshare", "-m", "chroot", rootfs, "/bin/true")},
		{Name: "default", Cmd: benchutil.Argv(append(dflt, image)...)},
	}
	if err := benchutil.Interleave(cs, n, false); err != nil {
		return err
	}
	report(cs, n)
	return nil
}

func report(cs []*benchutil.Contender, n int) {
	fmt.Printf("start to exit of /bin/true, %d runs each (median, min):\n", n)
	med := map[string]time.Duration{}
	for _, c := range cs {
		med[c.Name] = benchutil.Median(c.Times)
		fmt.Printf("  %-20s %8.2f ms  %8.2f ms\n", c.Name, benchutil.Ms(med[c.Name]), benchutil.Ms(benchutil.Min(c.Times)))
	}
	fmt.Printf("  fly / chroot  = %.2f  (what saturn adds to the bare chroot)\n", ratio(med["fly"], med["chroot"]))
	fmt.Printf("  fly / default = %.2f  (fly against the default stage1)\n", ratio(med["fly"], med["default"]))
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }
