package networking

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// crashChildEnv carries the Options a child test process runs Setup with;
// the test kills it half-way.
const crashChildEnv = "SATURN_TEST_CRASH_CHILD"

func crashChild() int {
	var o Options
	if err := json.Unmarshal([]byte(os.Getenv(crashChildEnv)), &o); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	_, err := Setup(context.Background(), o)
	fmt.Fprintln(os.Stderr, "crash child: Setup returned:", err)
	return 1
}

// hangPlugin is a CNI plugin whose ADD never returns, for stage1 to be
// killed in; its DEL has nothing to undo.
const hangPlugin = "#!/bin/sh\n[ \"$CNI_COMMAND\" = ADD ] && exec sleep 60\nexit 0\n"

func TestTeardownAfterCrash(t *testing.T) {
	o := testOpts(t, NetRequest{Name: "saturn-test-crash"})
	hangDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(hangDir, "saturn-test-hang"), []byte(hangPlugin), 0o755); err != nil {
		t.Fatal(err)
	}
	o.PluginDirs = append(o.PluginDirs, hangDir)
	writeNetConf(t, o, "crash.conflist", fmt.Sprintf(`{"cniVersion":"1.0.0","name":"saturn-test-crash","plugins":[
	 {"type":"ptp","ipMasq":true,"ipam":{"type":"host-local","ranges":[[{"subnet":%q}]],"dataDir":%q}},
	 {"type":"saturn-test-hang"}]}`, testSubnet, o.IPAMDataDir))
	before := snapshot(t)

	b, _ := json.Marshal(o)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+string(b))
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it (and the hanging plugin) once ptp has returned.
	var ips []string
	deadline := time.Now().Add(10 * time.Second)
	for ; ; time.Sleep(5 * time.Millisecond) {
		if rec, err := readRecord(o.PodDir); err == nil && len(rec.Nets) == 1 && rec.Nets[0].Done == 1 {
			ips = recordIPs(t, rec)
			break
		}
		if time.Now().After(deadline) {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			t.Fatal("the child never got half-way")
		}
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
	assertLive(t, o, "saturn-test-crash", ips)

	if err := Teardown(context.Background(), o.PodDir, o.PluginDirs); err != nil {
		t.Fatalf("Teardown after the crash: %v", err)
	}
	assertClean(t, o, before, ips)
}

func recordIPs(t *testing.T, rec *record) []string {
	var r struct {
		IPs []struct{ Address string } `json:"ips"`
	}
	if err := json.Unmarshal(rec.Nets[0].Result, &r); err != nil || len(r.IPs) == 0 {
		t.Fatalf("recorded result %s: %v", rec.Nets[0].Result, err)
	}
	var ips []string
	for _, ip := range r.IPs {
		addr, _, err := net.ParseCIDR(ip.Address)
		if err != nil {
			t.Fatal(err)
		}
		ips = append(ips, addr.String())
	}
	return ips
}
