package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/saturnpod/saturn/bench/internal/benchutil"
)

// e2e times `saturn run` end to end with --net=none and --net=default,
// interleaved: "start" is until the app's first output (what a user waits
// for), "total" until saturn exits (the network's teardown included).
func e2e(saturn, stage1, image string, n int) error {
	data, err := benchutil.TempDir("saturn-bench-net-e2e-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(data)
	defer exec.Command(saturn, "--dir", data, "gc", "--grace-period=0s").Run()
	modes := []string{"none", "default"}
	start := map[string][]time.Duration{}
	total := map[string][]time.Duration{}
	// The first run of each imports the images; it is not timed.
	for i := -1; i < n; i++ {
		for _, mode := range modes {
			s, t, err := runOnce(saturn, data, stage1, image, mode)
			if err != nil {
				return fmt.Errorf("--net=%s: %w", mode, err)
			}
			if i >= 0 {
				start[mode], total[mode] = append(start[mode], s), append(total[mode], t)
			}
		}
		if i%10 == 9 {
			exec.Command(saturn, "--dir", data, "gc", "--grace-period=0s").Run()
		}
	}
	fmt.Printf("\nsaturn run, %d runs each, interleaved (median ms)\n", n)
	fmt.Printf("%-10s %8s %8s\n", "--net", "start", "total")
	for _, mode := range modes {
		fmt.Printf("%-10s %8.1f %8.1f\n", mode, benchutil.Ms(benchutil.Median(start[mode])), benchutil.Ms(benchutil.Median(total[mode])))
	}
	fmt.Printf("--net=default adds %.1f ms to the start of `saturn run` over --net=none (goal < 25 ms), %.1f ms to the whole run\n",
		benchutil.Ms(benchutil.Median(start["default"])-benchutil.Median(start["none"])), benchutil.Ms(benchutil.Median(total["default"])-benchutil.Median(total["none"])))
	return nil
}

// runOnce runs a pod whose app prints "up" and exits.
func runOnce(saturn, data, stage1, image, mode string) (start, total time.Duration, err error) {
	cmd := exec.Command(saturn, "--dir", data, "run", "--insecure-options=image", "--stage1-path="+stage1,
		"--net="+mode, image, "--exec=/bin/busybox", "--", "echo", "up", "---")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if sc.Text() == "up" && start == 0 {
			start = time.Since(t0)
		}
	}
	if err := cmd.Wait(); err != nil {
		return 0, 0, fmt.Errorf("%w: %s", err, stderr.String())
	}
	if start == 0 {
		return 0, 0, fmt.Errorf("the app printed nothing: %s", stderr.String())
	}
	return start, time.Since(t0), nil
}
