// Command pods measures saturn's pod lookups: `saturn status` of one pod
// with 1 and with 1000 pods on disk (a lookup by UUID must not scan), and
// `saturn list` with 1000 pods (goal: under 100 ms). It creates the pods
// with the stage0 library, the same code `saturn prepare` runs, and moves
// half of them to the exited state, then times the saturn binary.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/saturnpod/saturn/bench/internal/benchutil"
	"github.com/saturnpod/saturn/stage0"
	"github.com/saturnpod/saturn/stage0/pod"
)

func main() {
	saturn := flag.String("saturn", "bin/saturn", "saturn binary")
	stage1 := flag.String("stage1", "build/test/stage1-stub.aci", "stage1 image")
	image := flag.String("image", "build/test/stub-app.aci", "app image")
	pods := flag.Int("pods", 1000, "pods on disk for the large case")
	runs := flag.Int("runs", 30, "timed runs per figure")
	keep := flag.Bool("keep", false, "keep the data dir with the pods, for profiling")
	flag.Parse()
	benchutil.Exit("bench/pods", bench(*saturn, *stage1, *image, *pods, *runs, *keep))
}

func bench(saturn, stage1, image string, n, runs int, keep bool) error {
	dir, err := benchutil.TempDir("saturn-bench-pods-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Println("data dir:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	r, err := stage0.New(stage0.Config{DataDir: dir})
	if err != nil {
		return err
	}
	opts := stage0.PrepareOptions{Apps: []stage0.App{{Image: image}}, Stage1: stage0.Stage1{Path: stage1}}
	first, err := r.Prepare(opts)
	if err != nil {
		return err
	}
	status1 := timeCmd(runs, saturn, "--dir="+dir, "status", first)
	start := time.Now()
	for i := 1; i < n; i++ {
		uuid, err := r.Prepare(opts)
		if err != nil {
			return err
		}
		if i%2 == 0 {
			if err := exitPod(r, uuid); err != nil {
				return err
			}
		}
	}
	fmt.Printf("created %d pods in %v\n", n, time.Since(start).Round(time.Millisecond))
	statusN := timeCmd(runs, saturn, "--dir="+dir, "status", first)
	list := timeCmd(runs, saturn, "--dir="+dir, "list")
	listJSON := timeCmd(runs, saturn, "--dir="+dir, "list", "--format=json")
	fmt.Printf("%-36s %10s %10s\n", "", "median", "p90")
	report := func(name string, d []time.Duration) {
		fmt.Printf("%-36s %10v %10v\n", name, benchutil.Median(d), benchutil.Percentile(d, 90))
	}
	report("saturn status, 1 pod on disk", status1)
	report(fmt.Sprintf("saturn status, %d pods on disk", n), statusN)
	report(fmt.Sprintf("saturn list, %d pods", n), list)
	report(fmt.Sprintf("saturn list --format=json, %d pods", n), listJSON)
	if benchutil.Median(list) > 100*time.Millisecond {
		fmt.Println("GOAL MISSED: saturn list with 1000 pods over 100 ms")
	}
	return nil
}

// exitPod moves a prepared pod to run/ and lets go of it: an exited pod,
// as a pod whose stage1 ended leaves it.
func exitPod(r *stage0.Runtime, uuid string) error {
	p, err := r.Pod(uuid)
	if err != nil {
		return err
	}
	if err := p.Lock(); err != nil {
		return err
	}
	defer p.Close()
	return p.Transition(pod.DirRun)
}

// timeCmd runs a command runs times and returns the wall times; a failure
// ends the bench.
func timeCmd(runs int, name string, args ...string) []time.Duration {
	c := &benchutil.Contender{Name: name, Cmd: benchutil.Argv(append([]string{name}, args...)...)}
	if err := benchutil.Interleave([]*benchutil.Contender{c}, runs, false); err != nil {
		benchutil.Exit("bench/pods", fmt.Errorf("%v: %w", args, err))
	}
	return c.Times
}
