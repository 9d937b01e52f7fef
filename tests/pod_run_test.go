package tests

import (
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The exit code of `saturn run` is the pod's: 0, 1, 42, and death by a
// signal, and status reports each app's code.
func TestPodExitCodes(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		env      string
		code     int // -1: killed by a signal
		appCode  string
		waitCode int
	}{
		{"STUB_EXIT=0", 0, "0", 0},
		{"STUB_EXIT=1", 1, "1", 1},
		{"STUB_EXIT=42", 42, "42", 42},
		{"STUB_SIGNAL=KILL", -1, "137", 137},
	} {
		uf := filepath.Join(e.dir, "uuid")
		r := e.run("run", withStub(), "--uuid-file-save="+uf, stubApp(), "--environment="+tc.env)
		if r.code != tc.code {
			t.Fatalf("%s: run exit %d, want %d (stderr %s)", tc.env, r.code, tc.code, r.stderr)
		}
		st := e.run("status", "--wait", "--uuid-file="+uf)
		if st.code != tc.waitCode {
			t.Errorf("%s: status --wait exit %d, want %d", tc.env, st.code, tc.waitCode)
		}
		contains(t, st.stdout, "state=exited\n")
		contains(t, st.stdout, "app-stub-app="+tc.appCode+"\n")
	}
}

// Several images make several apps; default names are deduplicated; the
// exit code is the first failing app's.
func TestPodSeveralApps(t *testing.T) {
	e := newEnv(t)
	r := e.run("run", withStub(), stubApp(), "--environment=STUB_EXIT=0", stubApp(), "--environment=STUB_EXIT=3", stubApp(), "--name=third")
	if r.code != 3 {
		t.Fatalf("run exit %d, want 3: %s", r.code, r.stderr)
	}
	ps := e.list()
	if len(ps) != 1 || len(ps[0].Apps) != 3 {
		t.Fatalf("list: %+v", ps)
	}
	names := []string{}
	for _, a := range ps[0].Apps {
		names = append(names, a.Name)
		if a.State != "exited" || a.ExitCode == nil || !strings.HasPrefix(a.ImageID, "sha512-") {
			t.Errorf("app %+v", a)
		}
	}
	if strings.Join(names, ",") != "stub-app,stub-app-2,third" {
		t.Errorf("app names %v", names)
	}
}

// The stage1 run entrypoint gets exactly the flags its interface version
// knows (the stub fails on any other), and --dns lands in its root.
func TestPodFlagsByInterfaceVersion(t *testing.T) {
	e := newEnv(t)
	flags := []string{"--hostname=h1", "--dns=192.0.2.53", "--dns-search=example.com", "--insecure-options=capabilities,paths,seccomp", "--net=host"}
	for _, tc := range []struct {
		stage1 string
		want   []string
	}{
		{stubStage1(), []string{"--debug", "--net=host", "--hostname=h1", "--disable-capabilities-restriction", "--disable-paths", "--disable-seccomp", "--dns-conf-mode=resolv=stage0,hosts=default"}},
		{stubStage1V1(), []string{"--debug", "--net=host"}},
	} {
		uf := filepath.Join(e.dir, "uuid")
		args := append([]string{"--debug", "run", "--stage1-path=" + tc.stage1, "--uuid-file-save=" + uf}, flags...)
		e.ok(append(args, stubApp())...)
		b, _ := os.ReadFile(uf)
		uuid := strings.TrimSpace(string(b))
		dir := filepath.Join(e.dir, "pods", "run", uuid)
		got, err := os.ReadFile(filepath.Join(dir, "stub-run-args"))
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Join(append(tc.want, uuid), "\n") + "\n"
		if string(got) != want {
			t.Errorf("%s: stage1 got\n%s\nwant\n%s", filepath.Base(tc.stage1), got, want)
		}
		resolv, _ := os.ReadFile(filepath.Join(dir, "overlay", "stage1", "upper", "etc", "rkt-resolv.conf"))
		contains(t, string(resolv), "nameserver 192.0.2.53\nsearch example.com\n")
	}
	// Refused before a pod exists: --interactive with two apps, a bad --dns.
	before := len(e.podDirs())
	contains(t, e.fails("run", withStub(), "--interactive", stubApp(), stubApp()), "exactly one app")
	contains(t, e.fails("run", withStub(), "--dns=not-an-ip", stubApp()), "not an IP")
	if n := len(e.podDirs()); n != before {
		t.Errorf("refused runs left %d pod dirs", n-before)
	}
}

// The pod manifest holds the effective app: every override merged, the
// environment in its documented precedence.
func TestPodManifestEffectiveApp(t *testing.T) {
	e := newEnv(t)
	vars := []string{"INHERITED=caller", "OVERRIDDEN=caller", "FROM_IMAGE=caller"}
	r := e.runEnv(vars, "prepare", withStub(), "--inherit-env", "--set-env=OVERRIDDEN=setenv", "--set-env=SETENV=setenv",
		"--volume=data,kind=empty", "--volume=host,kind=host,source=/tmp,readOnly=true",
		stubApp(), "--exec=/bin/other", "--user=7", "--group=8", "--working-dir=/w",
		"--environment=OVERRIDDEN=app", "--mount=volume=host,target=/host", "--readonly-rootfs",
		"--memory=64M", "--cpu=500m", "--caps-retain=CAP_NET_BIND_SERVICE", "--seccomp=mode=retain,read,write",
		"--annotation=example.com/a=b", "--", "x", "y", "---")
	if r.code != 0 {
		t.Fatalf("prepare: %s", r.stderr)
	}
	var pm struct {
		Volumes []struct{ Name, Kind string }
		Apps    []struct {
			Name           string
			ReadOnlyRootFS bool
			Mounts         []struct{ Volume, Path string }
			Annotations    []struct{ Name, Value string }
			App            struct {
				Exec             []string
				User, Group      string
				WorkingDirectory string
				Environment      []struct{ Name, Value string }
				Isolators        []struct{ Name string }
			}
		}
	}
	if err := json.Unmarshal([]byte(e.ok("cat-manifest", strings.TrimSpace(r.stdout))), &pm); err != nil {
		t.Fatal(err)
	}
	a := pm.Apps[0]
	env := map[string]string{}
	for _, v := range a.App.Environment {
		env[v.Name] = v.Value
	}
	for k, want := range map[string]string{"INHERITED": "caller", "FROM_IMAGE": "image", "SETENV": "setenv", "OVERRIDDEN": "app"} {
		if env[k] != want {
			t.Errorf("env %s=%q, want %q", k, env[k], want)
		}
	}
	if strings.Join(a.App.Exec, " ") != "/bin/other x y" || a.App.User != "7" || a.App.Group != "8" || a.App.WorkingDirectory != "/w" || !a.ReadOnlyRootFS {
		t.Errorf("app %+v", a.App)
	}
	var isos []string
	for _, i := range a.App.Isolators {
		isos = append(isos, i.Name)
	}
	if strings.Join(isos, ",") != "resource/memory,resource/cpu,os/linux/capabilities-retain-set,os/linux/seccomp-retain-set" {
		t.Errorf("isolators %v", isos)
	}
	// --mount first, then the image's mount point /data onto the pod volume "data".
	if len(a.Mounts) != 2 || a.Mounts[0].Path != "/host" || a.Mounts[1].Volume != "data" || a.Mounts[1].Path != "/data" {
		t.Errorf("mounts %+v", a.Mounts)
	}
	if len(a.Annotations) != 1 || a.Annotations[0].Value != "b" || len(pm.Volumes) != 2 {
		t.Errorf("annotations %+v volumes %+v", a.Annotations, pm.Volumes)
	}
	for _, bad := range [][]string{
		{stubApp(), "--mount=volume=nope,target=/x"},
		{stubApp(), "--caps-retain=CAP_A", "--caps-remove=CAP_B"},
		{stubApp(), "--memory=lots"},
		{stubApp(), "--no-such-flag"},
		{"--volume=bad,kind=weird", stubApp()},
		{"no-such-image"},
		{"--uuid-file-save=/nonexistent/dir/uuid", stubApp()}, // fails after the pod dir exists
	} {
		e.fails(append([]string{"prepare", withStub()}, bad...)...)
	}
	if n := len(e.podDirs()); n != 1 {
		t.Errorf("%d pod dirs after failed prepares, want 1: a failing prepare must remove its pod", n)
	}
}

// prepare + run-prepared, with UUID files; a pod runs once: of racing
// run-prepared calls exactly one wins, and a second one later fails.
func TestPodRunPreparedRace(t *testing.T) {
	e := newEnv(t)
	uf := filepath.Join(e.dir, "uuid")
	e.ok("prepare", withStub(), "--quiet", "--uuid-file-save="+uf, stubApp(), "--environment=STUB_SLEEP=1s", "--environment=STUB_EXIT=5")
	b, _ := os.ReadFile(uf)
	uuid := strings.TrimSpace(string(b))
	if st := e.status(uuid)["state"]; st != "prepared" {
		t.Fatalf("state %s", st)
	}
	var wg sync.WaitGroup
	codes := make(chan result, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- e.run("run-prepared", "--uuid-file="+uf)
		}()
	}
	wg.Wait()
	close(codes)
	wins := 0
	for r := range codes {
		switch {
		case r.code == 5:
			wins++
		case r.code == 254 && (strings.Contains(r.stderr, "not prepared") || strings.Contains(r.stderr, "locked")):
		default:
			t.Errorf("run-prepared: exit %d, stderr %q", r.code, r.stderr)
		}
	}
	if wins != 1 {
		t.Fatalf("%d run-prepared won, want 1", wins)
	}
	contains(t, e.fails("run-prepared", uuid), "is exited, not prepared")
}

// Stage1 selection: the default (stage1.aci beside the binary), a file, a
// name or an ID in the store, a file in the stage1 images directory.
func TestPodStage1Selection(t *testing.T) {
	e := newEnv(t)
	stage1Of := func(uuid string) string {
		b, err := os.ReadFile(filepath.Join(e.dir, "pods", "prepared", uuid, "stage1", "manifest"))
		if err != nil {
			t.Fatal(err)
		}
		var m struct{ Name string }
		json.Unmarshal(b, &m)
		return m.Name
	}
	u := e.prepare(stubApp()) // --stage1-path
	if n := stage1Of(u); n != "saturn.test/stage1-stub" {
		t.Fatalf("--stage1-path: stage1 %s", n)
	}
	// The stub ACI is an uncompressed tar: its ID is the sha512 of the file.
	aci, err := os.ReadFile(stubStage1())
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("sha512-%x", sha512.Sum512(aci))
	for _, sel := range []string{"--stage1-name=saturn.test/stage1-stub:4", "--stage1-name=saturn.test/stage1-stub", "--stage1-hash=" + id, "--stage1-hash=" + id[:20]} {
		out := strings.TrimSpace(e.ok("prepare", sel, stubApp()))
		if n := stage1Of(out); n != "saturn.test/stage1-stub" {
			t.Errorf("%s: stage1 %s", sel, n)
		}
	}
	if _, err := os.Stat(binPath("stage1.aci")); err == nil {
		for _, sel := range [][]string{{}, {"--stage1-from-dir=stage1.aci"}} {
			out := strings.TrimSpace(e.ok(append(append([]string{"prepare"}, sel...), stubApp())...))
			if n := stage1Of(out); n != "saturn.io/stage1" {
				t.Errorf("%v: stage1 %s, want the default saturn.io/stage1", sel, n)
			}
		}
	}
	for _, bad := range [][]string{
		{withStub(), "--stage1-name=saturn.test/stage1-stub"},
		{"--stage1-from-dir=../stage1.aci"},
		{"--stage1-from-dir=nope.aci"},
		{"--stage1-hash=sha512-0000"},
		{"--stage1-path=" + stubApp()}, // not a stage1
	} {
		e.fails(append(append([]string{"prepare"}, bad...), stubApp())...)
	}
}

// --pod-manifest replaces the images and pod flags; an app without an app
// section gets its image's, so stage1 always finds the effective app.
func TestPodManifestFile(t *testing.T) {
	e := newEnv(t)
	u := e.prepare(stubApp(), "--environment=STUB_EXIT=9")
	var pm map[string]any
	if err := json.Unmarshal([]byte(e.ok("cat-manifest", u)), &pm); err != nil {
		t.Fatal(err)
	}
	app := pm["apps"].([]any)[0].(map[string]any)
	second := map[string]any{"name": "second", "image": app["image"]}
	pm["apps"] = []any{app, second}
	f := filepath.Join(e.dir, "pod.json")
	b, _ := json.Marshal(pm)
	os.WriteFile(f, b, 0o644)

	r := e.run("run", withStub(), "--pod-manifest="+f)
	if r.code != 9 {
		t.Fatalf("run --pod-manifest: exit %d: %s", r.code, r.stderr)
	}
	var got struct {
		Apps []struct {
			Name string
			App  *struct{ Exec []string }
		}
	}
	uuid := ""
	for _, p := range e.list() {
		if p.UUID != u {
			uuid = p.UUID
		}
	}
	json.Unmarshal([]byte(e.ok("cat-manifest", uuid)), &got)
	if len(got.Apps) != 2 || got.Apps[1].App == nil || got.Apps[1].App.Exec[0] != "/bin/app" {
		t.Fatalf("apps %+v", got.Apps)
	}
	e.fails("prepare", withStub(), "--pod-manifest="+f, stubApp())
	os.WriteFile(f, []byte(`{"acKind":"PodManifest","acVersion":"0.8.11","apps":[{"name":"x","image":{"id":"sha512-00"}}]}`), 0o644)
	e.fails("prepare", withStub(), "--pod-manifest="+f)
	contains(t, e.fails("prepare", withStub(), "--port=http:8080", stubApp()), "no app declares a port named http")
}
