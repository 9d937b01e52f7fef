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
)

func main() {
	saturn := flag.String("saturn", "bin/saturn", "saturn binary")
	stage1 := flag.String("stage1", "bin/stage1.aci", "stage1 image")
	busybox := flag.String("busybox", "/bin/busybox", "static busybox for the app's root filesystem")
	n := flag.Int("n", 20, "runs of each variant")
	pods := flag.Int("pods", 4, "pods running at once for the memory measure")
	flag.Parse()
	if err := run(*saturn, *stage1, *busybox, *n, *pods); err != nil {
		fmt.Fprintln(os.Stderr, "bench isolation:", err)
		os.Exit(1)
	}
}

func run(saturn, stage1, busybox string, n, pods int) error {
	dir, err := os.MkdirTemp("", "saturn-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rootfs := filepath.Join(dir, "rootfs")
	if err := makeRootfs(rootfs, busybox); err != nil {
		return err
	}
	aci := filepath.Join(dir, "app.aci")
	if err := sh(saturn, "image", "build", rootfs, aci, "--name", "saturn.io/bench/isolation",
		"--label", "os=linux", "--label", "arch=amd64", "--exec", "/bin/true"); err != nil {
		return err
	}
	data := filepath.Join(dir, "data")
	base := []string{"--dir", data, "run", "--stage1-path=" + stage1, "--net=none"}
	// The first run imports the images; it is not timed.
	if err := sh(saturn, append(base, aci)...); err != nil {
		return err
	}
	defer sh(saturn, "--dir", data, "gc", "--grace-period=0s")
	if err := timeStarts(saturn, base, n); err != nil {
		return err
	}
	return measureMemory(saturn, base, data, pods)
}

func timeStarts(saturn string, base []string, n int) error {
	variants := []struct {
		name  string
		flags []string
		times []time.Duration
	}{
		{name: "isolated"},
		{name: "insecure", flags: []string{"--insecure-options=capabilities,paths,seccomp"}},
	}
	for i := range n {
		for k := range variants {
			v := &variants[(i+k)%len(variants)]
			args := append(append(slices.Clone(base), v.flags...), "saturn.io/bench/isolation")
			start := time.Now()
			if out, err := exec.Command(saturn, args...).CombinedOutput(); err != nil {
				return fmt.Errorf("%s: %v\n%s", v.name, err, out)
			}
			v.times = append(v.times, time.Since(start))
		}
	}
	fmt.Printf("pod start to exit of /bin/true, %d runs each, interleaved (median, min):\n", n)
	med := map[string]time.Duration{}
	for _, v := range variants {
		slices.Sort(v.times)
		med[v.name] = v.times[len(v.times)/2]
		fmt.Printf("  %-9s %8.2f ms  %8.2f ms  %s\n", v.name, ms(med[v.name]), ms(v.times[0]), strings.Join(v.flags, " "))
	}
	d := med["isolated"] - med["insecure"]
	fmt.Printf("  isolation costs %.2f ms (%.1f%%) of a pod start\n", ms(d), 100*float64(d)/float64(med["insecure"]))
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
	time.Sleep(2 * time.Second) // let them settle (and trim)
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

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// makeRootfs is busybox, /bin/true and /bin/sleep.
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
	for _, l := range []string{"true", "sleep"} {
		if err := os.Symlink("busybox", filepath.Join(rootfs, "bin", l)); err != nil {
			return err
		}
	}
	return nil
}

func sh(name string, args ...string) error {
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s %v: %v\n%s", name, args, err, out)
	}
	return nil
}
