// Command net measures what pod networking adds to a pod's start and
// removal, in milliseconds: end to end, `saturn run` of a pod whose app
// prints a line, with --net=default against --net=none (with -saturn);
// and the library alone, networking.Setup then Release of the same two
// (its own subnet and directories). It runs as root and restores
// ip_forward, which the ptp plugin turns on.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/networking"

	"github.com/saturnpod/saturn/bench/internal/benchutil"
)

const (
	ipForward = "/proc/sys/net/ipv4/ip_forward"
	// subnet is the bench's own, away from running pods' default one.
	subnet = "172.31.253.0/24"
)

func main() {
	plugins := flag.String("plugins", "build/cni", "directory of the CNI plugins")
	n := flag.Int("n", 20, "runs per mode")
	saturn := flag.String("saturn", "", "saturn binary: also time `saturn run` end to end")
	stage1 := flag.String("stage1", "bin/stage1.aci", "stage1 image for -saturn")
	image := flag.String("image", "build/test/probe.aci", "app image with /bin/busybox for -saturn")
	flag.Parse()
	fwd, fwdErr := os.ReadFile(ipForward)
	err := run(*plugins, *n)
	if err == nil && *saturn != "" {
		err = e2e(*saturn, *stage1, *image, *n)
	}
	if fwdErr == nil {
		os.WriteFile(ipForward, fwd, 0o644)
	}
	benchutil.Exit("bench-net", err)
}

func run(plugins string, n int) error {
	plugins, err := filepath.Abs(plugins)
	if err != nil {
		return err
	}
	tmp, err := benchutil.TempDir("saturn-bench-net-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	netnsDir := "/run/saturn-bench/netns"
	defer os.RemoveAll("/run/saturn-bench")
	defer unix.Unmount(netnsDir, unix.MNT_DETACH)
	defer networking.RemoveSubnetMasquerade(subnet)

	fmt.Printf("networking.Setup + Release, %d runs each (median ms)\n", n)
	fmt.Printf("%-10s %8s %8s %8s\n", "--net", "setup", "teardown", "total")
	var base time.Duration
	for _, mode := range []string{networking.NetNone, networking.NetDefault} {
		setups, teardowns := make([]time.Duration, 0, n), make([]time.Duration, 0, n)
		for i := range n {
			o := networking.Options{
				PodDir:        filepath.Join(tmp, fmt.Sprintf("%s-%d", mode, i)),
				UUID:          fmt.Sprintf("saturn-bench-%s-%d-%d", mode, os.Getpid(), i),
				Nets:          []networking.NetRequest{{Name: mode}},
				PluginDirs:    []string{plugins},
				NetnsDir:      netnsDir,
				IPAMDataDir:   filepath.Join(tmp, "ipam"),
				DefaultSubnet: subnet,
			}
			if err := os.Mkdir(o.PodDir, 0o755); err != nil {
				return err
			}
			s, t, err := once(o)
			if err != nil {
				return fmt.Errorf("--net=%s: %w", mode, err)
			}
			setups, teardowns = append(setups, s), append(teardowns, t)
		}
		s, t := benchutil.Median(setups), benchutil.Median(teardowns)
		fmt.Printf("%-10s %8.1f %8.1f %8.1f\n", mode, benchutil.Ms(s), benchutil.Ms(t), benchutil.Ms(s+t))
		if mode == networking.NetNone {
			base = s
		} else {
			fmt.Printf("--net=default adds %.1f ms to pod start over --net=none (goal < 25 ms)\n", benchutil.Ms(s-base))
		}
	}
	return nil
}

func once(o networking.Options) (setup, teardown time.Duration, err error) {
	ctx := context.Background()
	start := time.Now()
	p, err := networking.Setup(ctx, o)
	if err != nil {
		return 0, 0, err
	}
	setup = time.Since(start)
	// As stage1 does once the pod's processes are gone.
	p.Close()
	start = time.Now()
	err = networking.Release(ctx, o.PodDir, o.PluginDirs)
	return setup, time.Since(start), err
}
