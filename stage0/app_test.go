package stage0

import (
	"errors"
	"strings"
	"testing"

	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func testImage(t *testing.T) *schema.ImageManifest {
	t.Helper()
	im := schema.BlankImageManifest()
	im.Name = "example.com/group/My_App"
	im.App = &types.App{
		Exec:        types.Exec{"/bin/app", "--flag"},
		User:        "1",
		Group:       "2",
		Environment: types.Environment{{Name: "A", Value: "image"}, {Name: "B", Value: "image"}, {Name: "C", Value: "image"}},
		MountPoints: []types.MountPoint{{Name: "data", Path: "/data"}, {Name: "unbound", Path: "/u"}},
	}
	return im
}

func envMap(e types.Environment) map[string]string {
	m := map[string]string{}
	for _, v := range e {
		m[v.Name] = v.Value
	}
	return m
}

func TestEffectiveAppEnvPrecedence(t *testing.T) {
	t.Setenv("A", "caller")
	t.Setenv("ONLY_CALLER", "caller")
	im := testImage(t)
	a := &App{Environment: []string{"C=app"}}
	app, err := effectiveApp(a, im, envPolicy{inherit: true, setEnv: []string{"B=set", "C=set"}})
	if err != nil {
		t.Fatal(err)
	}
	got := envMap(app.Environment)
	for k, want := range map[string]string{"ONLY_CALLER": "caller", "A": "image", "B": "set", "C": "app"} {
		if got[k] != want {
			t.Errorf("%s=%q, want %q", k, got[k], want)
		}
	}
	// Without --inherit-env the caller's environment stays out.
	app, _ = effectiveApp(&App{}, im, envPolicy{})
	if _, ok := envMap(app.Environment)["ONLY_CALLER"]; ok {
		t.Error("caller environment leaked without --inherit-env")
	}
	// The image manifest is not modified.
	if im.App.Environment[2].Value != "image" || len(im.App.Exec) != 2 {
		t.Error("effectiveApp modified the image manifest")
	}
}

func TestEffectiveAppOverrides(t *testing.T) {
	im := testImage(t)
	app, err := effectiveApp(&App{Exec: "/bin/other", Args: []string{"x"}, User: "u", WorkingDir: "/w"}, im, envPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(app.Exec, " ") != "/bin/other x" || app.User != "u" || app.Group != "2" || app.WorkingDirectory != "/w" {
		t.Errorf("app %+v", app)
	}
	app, _ = effectiveApp(&App{Args: []string{}}, im, envPolicy{})
	if strings.Join(app.Exec, " ") != "/bin/app" {
		t.Errorf("empty args: exec %v", app.Exec)
	}
	im.App = nil
	if _, err := effectiveApp(&App{}, im, envPolicy{}); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("image without app and no --exec: %v", err)
	}
	app, err = effectiveApp(&App{Exec: "/bin/x"}, im, envPolicy{})
	if err != nil || app.User != "0" || app.Group != "0" {
		t.Errorf("image without app, --exec: %+v %v", app, err)
	}
	if _, err := effectiveApp(&App{Exec: "/x", Environment: []string{"NOEQUALS"}}, im, envPolicy{}); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("bad env: %v", err)
	}
}

func TestAppNames(t *testing.T) {
	im := testImage(t)
	n, err := appName(&App{}, im)
	if err != nil || n != "my-app" {
		t.Fatalf("default name %q %v", n, err)
	}
	taken := map[types.ACName]bool{"my-app": true, "my-app-2": true}
	if u := uniqueName(n, taken); u != "my-app-3" {
		t.Errorf("unique name %s", u)
	}
	for _, bad := range []string{"Bad Name", "stage1"} {
		if _, err := appName(&App{Name: bad}, im); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("--name=%s: %v", bad, err)
		}
	}
	// An image named .../stage1 gets a name that does not clash with stage1's dirs.
	im.Name = "example.com/stage1"
	n, err = appName(&App{}, im)
	if err != nil || uniqueName(n, map[types.ACName]bool{}) != "stage1-2" {
		t.Errorf("image named stage1: %q %v", uniqueName(n, map[types.ACName]bool{}), err)
	}
}

func TestIsolators(t *testing.T) {
	is := types.Isolators{}
	mem, _ := types.NewResourceMemoryIsolator("1G", "1G")
	is = append(is, mem.AsIsolator())
	a := &App{Memory: "64M", CPU: "250m", CapsRemove: "CAP_SYS_ADMIN, CAP_NET_RAW", Seccomp: "mode=remove,errno=EPERM,reboot"}
	if err := applyIsolators(a, &is); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, i := range is {
		names = append(names, i.Name.String())
	}
	if strings.Join(names, ",") != "resource/memory,resource/cpu,os/linux/capabilities-remove-set,os/linux/seccomp-remove-set" {
		t.Fatalf("isolators %v", names)
	}
	if raw := string(*is[0].ValueRaw); !strings.Contains(raw, `"limit":"64M"`) {
		t.Errorf("memory isolator %s, want the override", raw)
	}
	for _, bad := range []*App{
		{Memory: "lots"}, {CPU: "x"}, {CapsRetain: "CAP_A", CapsRemove: "CAP_B"},
		{Seccomp: "read,write"}, {Seccomp: "mode=maybe,read"},
	} {
		if err := applyIsolators(bad, &types.Isolators{}); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("%+v: %v, want invalid", bad, err)
		}
	}
}

func TestMountsPortsAnnotations(t *testing.T) {
	vols, err := parseVolumes([]string{"data,kind=empty", "h,kind=host,source=/srv,readOnly=true"})
	if err != nil || len(vols) != 2 || *vols[1].ReadOnly != true {
		t.Fatalf("volumes %+v %v", vols, err)
	}
	if _, err := parseVolumes([]string{"a,kind=empty", "a,kind=empty"}); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("duplicate volume: %v", err)
	}
	im := testImage(t)
	ms, err := appMounts(&App{Mounts: []string{"volume=h,target=/h"}}, im.App, vols)
	if err != nil || len(ms) != 2 || ms[0].Path != "/h" || ms[1].Volume != "data" {
		t.Fatalf("mounts %+v %v", ms, err)
	}
	for _, bad := range []string{"volume=nope,target=/x", "volume=h", "volume=h,target=rel", "volume=h,target=/h,extra=1"} {
		if _, err := appMounts(&App{Mounts: []string{bad}}, im.App, vols); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("mount %s: %v", bad, err)
		}
	}
	ps, err := parsePorts([]string{"http:8080", "dns:127.0.0.1:53"})
	if err != nil || ps[0].HostPort != 8080 || ps[1].HostIP.String() != "127.0.0.1" {
		t.Fatalf("ports %+v %v", ps, err)
	}
	for _, bad := range []string{"http", "http:0", "http:x", "http:nope:80", "Bad:80"} {
		if _, err := parsePorts([]string{bad}); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("port %s: %v", bad, err)
		}
	}
	if _, err := parseAnnotations([]string{"novalue"}); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("annotation without =: %v", err)
	}
}

func TestRunArgsByVersion(t *testing.T) {
	r := &Runtime{cfg: Config{Debug: true}}
	r.log = discardLogger()
	o := RunOptions{Hostname: "h", DNS: []string{"1.1.1.1"}, InsecureOptions: []string{"seccomp", "image"}, Interactive: true}
	want := map[int]string{
		1: "--debug --net=default --interactive U",
		2: "--debug --net=default --interactive --hostname=h U",
		3: "--debug --net=default --interactive --hostname=h --disable-seccomp U",
		4: "--debug --net=default --interactive --hostname=h --disable-seccomp --dns-conf-mode=resolv=stage0,hosts=default U",
	}
	for v, w := range want {
		if got := strings.Join(r.runArgs(o, v, "U"), " "); got != w {
			t.Errorf("version %d: %s\nwant %s", v, got, w)
		}
	}
}

func TestUnescapeMountinfo(t *testing.T) {
	for in, want := range map[string]string{`/a\040b`: "/a b", `/plain`: "/plain", `/x\`: `/x\`, `/t\011`: "/t\t"} {
		if got := unescapeMountinfo(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
