// Command run times pod start: `saturn run` of a one-app pod whose app is
// /bin/true, against `runc run` and `crun run` of the same root filesystem,
// interleaved in the same run, and prints the medians and the ratios.
//
// saturn runs with --net=none, like the OCI default config (new network,
// PID, IPC, UTS and mount namespaces); every runtime starts and tears down
// the whole container each time.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/saturnpod/saturn/bench/internal/benchutil"
)

func main() {
	f := benchutil.AddFlags(30)
	stub := flag.String("stub", "", "a stage1 that runs nothing (tests/stage1-stub): times stage0's share")
	stubApp := flag.String("stub-app", "", "the app image the stub stage1 wants (saturn.test/stub-app)")
	base := flag.String("base", "", "another saturn binary to time alongside (base, base0), e.g. the previous commit's")
	baseStage1 := flag.String("base-stage1", "", "the stage1 image base runs (default: the one beside -saturn)")
	flag.Parse()
	runtime.LockOSThread() // see hideUnifiedCgroup
	benchutil.Exit("bench run", run(f.Saturn, *base, *baseStage1, f.Busybox, *stub, *stubApp, f.N))
}

type contender = benchutil.Contender

func run(saturn, base, baseStage1, busybox, stub, stubApp string, n int) error {
	dir, err := benchutil.TempDir("saturn-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bundle := filepath.Join(dir, "bundle")
	rootfs := filepath.Join(bundle, "rootfs")
	if err := benchutil.MakeRootfs(rootfs, busybox); err != nil {
		return err
	}
	aci := filepath.Join(dir, "true.aci")
	data := filepath.Join(dir, "data")
	if err := benchutil.BuildImage(saturn, rootfs, aci, "saturn.io/bench/true", "/bin/true"); err != nil {
		return err
	}
	// The first run imports the images; it is not timed.
	if err := benchutil.Sh(saturn, "--dir", data, "run", "--net=none", aci); err != nil {
		return err
	}
	defer benchutil.Sh(saturn, "--dir", data, "gc", "--grace-period=0s")
	rts := []*contender{{Name: "saturn", Cmd: func(int) *exec.Cmd {
		return exec.Command(saturn, "--dir", data, "run", "--net=none", "saturn.io/bench/true")
	}}}
	if stub != "" && stubApp != "" {
		if err := benchutil.Sh(saturn, "--dir", data, "run", "--net=none", "--stage1-path="+stub, stubApp); err != nil {
			return err
		}
		rts = append(rts, &contender{Name: "stage0", Cmd: func(int) *exec.Cmd {
			return exec.Command(saturn, "--dir", data, "run", "--net=none", "--stage1-path="+stub, "saturn.test/stub-app")
		}})
	}
	if base != "" {
		b, err := baseContenders(base, baseStage1, saturn, data, stub, stubApp)
		if err != nil {
			return err
		}
		rts = append(rts, b...)
	}
	for _, oci := range []string{"runc", "crun"} {
		if _, err := exec.LookPath(oci); err != nil {
			fmt.Printf("%s not installed: skipped (make deps-bench installs it)\n", oci)
			continue
		}
		args := []string{"run", "--bundle", bundle}
		rts = append(rts, &contender{Name: oci, Cmd: func(i int) *exec.Cmd {
			return exec.Command(oci, append(args, fmt.Sprintf("saturn-bench-%d-%s-%d", os.Getpid(), oci, i))...)
		}})
	}
	if err := hideUnifiedCgroup(); err != nil {
		return err
	}
	if err := ociConfig(bundle); err != nil {
		return err
	}
	// The setup above (rootfs, image build, import, render) leaves tens
	// of MB dirty. Flushed here, its writeback is not charged to whichever
	// runtime waits for a journal commit first (saturn fsyncs once per pod
	// start; on ext4 a commit may wait for other files' data).
	syscall.Sync()
	// Rotate the order: a runtime right after another one that moved a
	// process between cgroups finds the kernel's cgroup lock warm.
	if err := benchutil.Interleave(rts, n, true); err != nil {
		return err
	}
	report(rts, n)
	return nil
}

func report(rts []*contender, n int) {
	fmt.Printf("start to exit of /bin/true, %d runs each, interleaved (median, min):\n", n)
	med := map[string]time.Duration{}
	for _, rt := range rts {
		med[rt.Name] = benchutil.Median(rt.Times)
		fmt.Printf("  %-7s %8.2f ms  %8.2f ms\n", rt.Name, benchutil.Ms(med[rt.Name]), benchutil.Ms(benchutil.Min(rt.Times)))
	}
	for _, rt := range rts[1:] {
		switch rt.Name {
		case "stage0":
			fmt.Printf("  stage0 (saturn with a stage1 that runs nothing) is %.0f%% of saturn's time\n", 100*float64(med["stage0"])/float64(med["saturn"]))
			continue
		case "base0":
			fmt.Printf("  stage0 / base0 = %.2f\n", float64(med["stage0"])/float64(med["base0"]))
			continue
		}
		fmt.Printf("  saturn / %s = %.2f\n", rt.Name, float64(med["saturn"])/float64(med[rt.Name]))
	}
}

// hideUnifiedCgroup: crun refuses a hybrid host whose cgroup2 tree has a
// controller ("drop all controllers from cgroupv2"). The benchmark's
// children then start from a private mount namespace without that tree, so
// every runtime sees the same v1-only host. Namespaces are per thread: the
// main goroutine stays locked to this thread, and forks every child from it.
func hideUnifiedCgroup() error {
	const unified = "/sys/fs/cgroup/unified"
	var st syscall.Statfs_t
	if syscall.Statfs(unified, &st) != nil || st.Type != 0x63677270 {
		return nil
	}
	if err := syscall.Unshare(syscall.CLONE_NEWNS | syscall.CLONE_FS); err != nil {
		return err
	}
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return err
	}
	fmt.Println("(hybrid cgroups: the runtimes run without the cgroup2 tree, which crun refuses)")
	return syscall.Unmount(unified, syscall.MNT_DETACH)
}

// ociConfig writes `runc spec`'s default config, running /bin/true without
// a terminal.
func ociConfig(bundle string) error {
	c := exec.Command("runc", "spec")
	c.Dir = bundle
	if out, err := c.CombinedOutput(); err != nil {
		return fmt.Errorf("runc spec: %v\n%s", err, out)
	}
	p := filepath.Join(bundle, "config.json")
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	var cfg map[string]any
	if err := json.Unmarshal(b, &cfg); err != nil {
		return err
	}
	proc := cfg["process"].(map[string]any)
	proc["terminal"] = false
	proc["args"] = []string{"/bin/true"}
	b, err = json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o644)
}
