package networking

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// A DEL that fails for a plugin that had been added keeps the record and
// the namespace, so that a later gc finishes the job.
func TestTeardownRetry(t *testing.T) {
	o := testOpts(t, NetRequest{Name: NetDefault})
	plugins := t.TempDir()
	if out, err := exec.Command("cp", "-a", testPluginDir+"/.", plugins).CombinedOutput(); err != nil {
		t.Fatalf("copy plugins: %v: %s", err, out)
	}
	o.PluginDirs = []string{plugins}
	before := snapshot(t)
	p := mustSetup(t, o)
	ips := ipsOf(p)
	p.Close()

	ptp := filepath.Join(plugins, "ptp")
	if err := os.Rename(ptp, ptp+".away"); err != nil {
		t.Fatal(err)
	}
	if err := Teardown(context.Background(), o.PodDir, o.PluginDirs); err == nil {
		t.Fatal("Teardown without the ptp plugin succeeded")
	}
	q, err := Load(o.PodDir, o.PluginDirs)
	if err != nil || q.NetnsFile() == nil {
		t.Fatalf("after a failed teardown: record %v, netns kept %v", err, err == nil && q.NetnsFile() != nil)
	}
	q.Close()

	if err := os.Rename(ptp+".away", ptp); err != nil {
		t.Fatal(err)
	}
	if err := Teardown(context.Background(), o.PodDir, o.PluginDirs); err != nil {
		t.Fatalf("retried Teardown: %v", err)
	}
	assertClean(t, o, before, ips)
}

// Pods set up and torn down at the same time get addresses of their own
// and leave nothing behind.
func TestConcurrentPods(t *testing.T) {
	const n = 6
	opts := make([]Options, n)
	base := testOpts(t, NetRequest{Name: NetDefault})
	for i := range opts {
		opts[i] = base
		opts[i].PodDir, opts[i].UUID = t.TempDir(), testUUID(t)
		teardownAtCleanup(t, opts[i])
	}
	before := snapshot(t)
	pods := make([]*Pod, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range opts {
		wg.Go(func() { pods[i], errs[i] = Setup(context.Background(), opts[i]) })
	}
	wg.Wait()
	seen := map[string]bool{}
	var ips []string
	for i, p := range pods {
		if errs[i] != nil {
			t.Fatalf("Setup %d: %v", i, errs[i])
		}
		ip := p.Networks()[0].IP
		if seen[ip] {
			t.Errorf("address %s given twice", ip)
		}
		seen[ip] = true
		ips = append(ips, ip)
	}
	for i, p := range pods {
		wg.Go(func() { errs[i] = p.Teardown(context.Background()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Teardown %d: %v", i, err)
		}
	}
	for _, o := range opts {
		assertClean(t, o, before, ips)
	}
}
