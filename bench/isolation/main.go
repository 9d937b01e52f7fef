// Command isolation measures what the default stage1's isolation costs:
//
//   - start time: `saturn run` of a one-app pod whose app is /bin/true,
//     confined (capabilities, seccomp filter, masked paths: the default)
//     and not (--insecure-options=capabilities,paths,seccomp), interleaved;
//   - memory: the resident size of stage1's own processes (stage1 init and
//     the pod init) per running pod, from /proc/PID/smaps_rollup: RSS, PSS
//     (shared pages divided among their users: the binary's pages are
//     shared by every pod of the same stage1) and USS (private pages).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/saturnpod/saturn/bench/internal/benchutil"
	"github.com/saturnpod/saturn/stage1/memtrim"
)

func main() {
	f := benchutil.AddFlags(20)
	stage1 := flag.String("stage1", "bin/stage1.aci", "stage1 image")
	pods := flag.Int("pods", 4, "pods running at once for the memory measure")
	flag.Parse()
	benchutil.Exit("bench isolation", run(f.Saturn, *stage1, f.Busybox, f.N, *pods))
}

func run(saturn, stage1, busybox string, n, pods int) error {
	dir, err := benchutil.TempDir("saturn-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rootfs := filepath.Join(dir, "rootfs")
	if err := benchutil.MakeRootfs(rootfs, busybox, "true", "sleep"); err != nil {
		return err
	}
	aci := filepath.Join(dir, "app.aci")
	if err := benchutil.BuildImage(saturn, rootfs, aci, "saturn.io/bench/isolation", "/bin/true"); err != nil {
		return err
	}
	data := filepath.Join(dir, "data")
	base := []string{"--dir", data, "run", "--stage1-path=" + stage1, "--net=none"}
	// The first run imports the images; it is not timed.
	if err := benchutil.Sh(saturn, append(base, aci)...); err != nil {
		return err
	}
	defer benchutil.Sh(saturn, "--dir", data, "gc", "--grace-period=0s")
	if err := timeStarts(saturn, base, n); err != nil {
		return err
	}
	return measureMemory(saturn, base, data, pods)
}

func timeStarts(saturn string, base []string, n int) error {
	variants := []struct {
		name  string
		flags []string
	}{
		{name: "isolated"},
		{name: "insecure", flags: []string{"--insecure-options=capabilities,paths,seccomp"}},
	}
	var cs []*benchutil.Contender
	for _, v := range variants {
		args := append(append(slices.Clone(base), v.flags...), "saturn.io/bench/isolation")
		cs = append(cs, &benchutil.Contender{Name: v.name, Cmd: benchutil.Argv(append([]string{saturn}, args...)...)})
	}
	if err := benchutil.Interleave(cs, n, true); err != nil {
		return err
	}
	fmt.Printf("pod start to exit of /bin/true, %d runs each, interleaved (median, min):\n", n)
	med := map[string]time.Duration{}
	for k, v := range variants {
		med[v.name] = benchutil.Median(cs[k].Times)
		fmt.Printf("  %-9s %8.2f ms  %8.2f ms  %s\n", v.name, benchutil.Ms(med[v.name]), benchutil.Ms(benchutil.Min(cs[k].Times)), strings.Join(v.flags, " "))
	}
	d := med["isolated"] - med["insecure"]
	fmt.Printf("  isolation costs %.2f ms (%.1f%%) of a pod start\n", benchutil.Ms(d), 100*float64(d)/float64(med["insecure"]))
	return nil
}

// measureMemory starts pods that sleep, waits until each runs and its
// stage1 processes have trimmed themselves, and reads their smaps_rollup.
func measureMemory(saturn string, base []string, data string, pods int) error {
	var cmds []*exec.Cmd
	var uuids []string
	defer func() {
		for _, u := range uuids {
			exec.Command(saturn, "--dir", data, "stop", "--force", u).Run()
		}
		for _, c := range cmds {
			c.Wait()
		}
	}()
	for i := range pods {
		uuidFile := filepath.Join(data, fmt.Sprintf("uuid-%d", i))
		args := append(slices.Clone(base), "--uuid-file-save="+uuidFile, "saturn.io/bench/isolation", "--exec=/bin/sleep", "--", "3600", "---")
		c := exec.Command(saturn, args...)
		if err := c.Start(); err != nil {
			return err
		}
		cmds = append(cmds, c)
		u, err := waitFile(uuidFile)
		if err != nil {
			return err
		}
		uuids = append(uuids, u)
		if _, err := waitFile(filepath.Join(data, "pods", "run", u, "pid")); err != nil {
			return err
		}
	}
	time.Sleep(memtrim.Delay + 2*time.Second) // let them settle (and trim)
	var total [2]usage
	for _, u := range uuids {
		state := filepath.Join(data, "pods", "run", u, "stage1", "state")
		for k, f := range []string{"init.pid", "pod-init.pid"} {
			pid, err := waitFile(filepath.Join(state, f))
			if err != nil {
				return err
			}
			m, err := smapsRollup(pid)
			if err != nil {
				return err
			}
			total[k] = total[k].add(m)
		}
	}
	fmt.Printf("resident memory of stage1's processes per pod, %d pods running (kB, mean):\n", pods)
	fmt.Printf("  %-10s %7s %7s %7s\n", "", "RSS", "PSS", "USS")
	var sum usage
	for k, name := range []string{"init", "pod init"} {
		u := total[k].div(pods)
		sum = sum.add(u)
		fmt.Printf("  %-10s %7d %7d %7d\n", name, u.rss, u.pss, u.uss)
	}
	fmt.Printf("  %-10s %7d %7d %7d\n", "per pod", sum.rss, sum.pss, sum.uss)
	return nil
}

type usage struct{ rss, pss, uss int }

func (a usage) add(b usage) usage { return usage{a.rss + b.rss, a.pss + b.pss, a.uss + b.uss} }
func (a usage) div(n int) usage   { return usage{a.rss / n, a.pss / n, a.uss / n} }

func smapsRollup(pid string) (usage, error) {
	b, err := os.ReadFile("/proc/" + pid + "/smaps_rollup")
	if err != nil {
		return usage{}, err
	}
	var u usage
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "Rss:":
			u.rss = v
		case "Pss:":
			u.pss = v
		case "Private_Clean:", "Private_Dirty:":
			u.uss += v
		}
	}
	return u, nil
}

func waitFile(p string) (string, error) {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(p); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b)), nil
		}
	}
	return "", fmt.Errorf("%s did not appear", p)
}
