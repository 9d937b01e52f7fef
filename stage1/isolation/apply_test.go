package isolation

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/saturnpod/saturn/stage1/isolation/caps"
	"github.com/saturnpod/saturn/stage1/isolation/seccomp"
)

// The test binary doubles as the process being confined (applyEnv: apply
// the Config, then exec the report mode) and as the app (reportEnv: print
// what /proc says about this process).
const (
	applyEnv  = "SATURN_ISOLATION_TEST_APPLY"
	reportEnv = "SATURN_ISOLATION_TEST_REPORT"
)

type report struct {
	State       State
	OOMScoreAdj int
	NofileMax   uint64
}

func TestMain(m *testing.M) {
	switch {
	case os.Getenv(applyEnv) != "":
		var c Config
		if err := json.Unmarshal([]byte(os.Getenv(applyEnv)), &c); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		err := c.Exec(os.Args[0], os.Args[:1], []string{reportEnv + "=1"})
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	case os.Getenv(reportEnv) != "":
		os.Exit(writeReport(os.Stdout))
	}
	os.Exit(m.Run())
}

func writeReport(w io.Writer) int {
	st, err := ReadState(0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	b, err := os.ReadFile("/proc/self/oom_score_adj")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	adj, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := json.NewEncoder(w).Encode(report{st, adj, rl.Max}); err != nil {
		return 2
	}
	return 0
}

// confined runs the test binary confined by c and returns its report. The
// binary is copied where a non-root uid can execute it.
func confined(t *testing.T, c Config) report {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	dir, err := os.MkdirTemp("", "saturn-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	exe := filepath.Join(dir, "probe")
	src, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = []string{applyEnv + "=" + string(b)}
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("confined process: %v", err)
	}
	var r report
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("report %q: %v", out, err)
	}
	return r
}

// defaultConfig is the confinement of an app whose image names no
// isolator (package appcspec reads the isolators).
func defaultConfig() Config {
	filter := seccomp.Default()
	return Config{Bounding: caps.Default, Seccomp: &filter}
}

func TestApplyRootAppDefaults(t *testing.T) {
	r := confined(t, defaultConfig())
	st := r.State
	if st.UID != 0 || st.Bounding != caps.Default || st.Effective != caps.Default ||
		st.Permitted != caps.Default || st.Inheritable != 0 || st.Ambient != 0 {
		t.Errorf("caps: %+v", st)
	}
	if st.Seccomp != SeccompFilter || st.NoNewPrivs {
		t.Errorf("seccomp %d, no_new_privs %v: want filter, off", st.Seccomp, st.NoNewPrivs)
	}
}

func TestApplyNonRootWithNoNewPrivs(t *testing.T) {
	c := defaultConfig()
	adj := 500
	c.NoNewPrivs, c.OOMScoreAdj = true, &adj
	c.UID, c.GID, c.Groups = 65534, 65534, []uint32{65534, 100}
	c.Rlimits = []Rlimit{{Resource: syscall.RLIMIT_NOFILE, Cur: 512, Max: 1024}}
	r := confined(t, c)
	st := r.State
	if st.UID != 65534 || st.GID != 65534 || fmt.Sprint(st.Groups) != "[100 65534]" {
		t.Errorf("ids: uid %d gid %d groups %v", st.UID, st.GID, st.Groups)
	}
	if st.Effective != 0 || st.Permitted != 0 || st.Inheritable != 0 || st.Ambient != 0 || st.Bounding != caps.Default {
		t.Errorf("caps: %+v", st)
	}
	if !st.NoNewPrivs || st.Seccomp != SeccompFilter {
		t.Errorf("no_new_privs %v seccomp %d", st.NoNewPrivs, st.Seccomp)
	}
	// The soft limit is not checked: the Go runtime of the report process
	// raises its own at start.
	if r.OOMScoreAdj != 500 || r.NofileMax != 1024 {
		t.Errorf("oom_score_adj %d, nofile hard limit %d", r.OOMScoreAdj, r.NofileMax)
	}
}

// Without no_new_privs a non-root app's filter is installed thanks to
// CAP_SYS_ADMIN kept across setuid; exec must still leave it nothing.
func TestApplyNonRootFilterWithoutNoNewPrivs(t *testing.T) {
	c := defaultConfig()
	c.UID, c.GID = 1000, 1000
	st := confined(t, c).State
	if st.NoNewPrivs || st.Seccomp != SeccompFilter {
		t.Errorf("no_new_privs %v seccomp %d", st.NoNewPrivs, st.Seccomp)
	}
	if st.Effective != 0 || st.Permitted != 0 || st.UID != 1000 {
		t.Errorf("uid %d caps %+v", st.UID, st)
	}
}

func TestApplyCapabilityIsolators(t *testing.T) {
	want := caps.Of(12, 21) // CAP_NET_ADMIN, CAP_SYS_ADMIN
	retain := defaultConfig()
	retain.Bounding = want
	if st := confined(t, retain).State; st.Bounding != want || st.Effective != want {
		t.Errorf("retain: bounding %v effective %v, want %v", st.Bounding, st.Effective, want)
	}
	want = caps.Default &^ caps.Of(13, 27) // CAP_NET_RAW, CAP_MKNOD
	remove := defaultConfig()
	remove.Bounding = want
	if st := confined(t, remove).State; st.Bounding != want || st.Effective != want {
		t.Errorf("remove: bounding %v effective %v, want %v", st.Bounding, st.Effective, want)
	}
}

func TestApplyInsecureOptions(t *testing.T) {
	self, err := ReadState(0)
	if err != nil {
		t.Fatal(err)
	}
	st := confined(t, Config{Bounding: caps.All}).State // both insecure options
	if st.Bounding != self.Bounding || st.Effective != self.Bounding {
		t.Errorf("insecure caps: bounding %v effective %v, want %v", st.Bounding, st.Effective, self.Bounding)
	}
	if st.Seccomp != SeccompDisabled {
		t.Errorf("insecure seccomp: mode %d", st.Seccomp)
	}
}
