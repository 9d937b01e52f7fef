package appcspec

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/appproc"
	"github.com/saturnpod/saturn/stage1/approot"
	"github.com/saturnpod/saturn/stage1/cgroups"
	"github.com/saturnpod/saturn/stage1/isolation"
	"github.com/saturnpod/saturn/stage1/isolation/caps"
	"github.com/saturnpod/saturn/stage1/notify"
	"github.com/saturnpod/saturn/stage1/podspec"
	"github.com/saturnpod/saturn/stage1/podstate"
)

const testPod = `{"acKind":"PodManifest","acVersion":"0.8.11",
 "apps":[
  {"name":"web","image":{"id":"sha512-0000000000000000000000000000000000000000000000000000000000000000"},
   "app":{"exec":["/bin/web","-v"],"user":"www","group":"0","supplementaryGIDs":[5],
    "workingDirectory":"/srv","environment":[{"name":"A","value":"b=c"}],
    "eventHandlers":[{"name":"pre-start","exec":["/bin/setup"]},{"name":"post-stop","exec":[]}],
    "ports":[{"name":"http","protocol":"tcp","port":80,"socketActivated":true},{"name":"admin","protocol":"tcp","port":81}],
    "mountPoints":[{"name":"scratch","path":"/tmp/s"}],
    "isolators":[{"name":"resource/memory","value":{"limit":"64Mi"}},
     {"name":"os/linux/capabilities-retain-set","value":{"set":["CAP_NET_BIND_SERVICE"]}}]},
   "readOnlyRootFS":true},
  {"name":"side","image":{"id":"sha512-1111111111111111111111111111111111111111111111111111111111111111"},
   "app":{"exec":["/bin/side"],"user":"0","group":"0"},
   "annotations":[{"name":"appc.io/executor/supports-systemd-notify","value":"true"}]}],
 "volumes":[{"name":"scratch","kind":"empty","mode":"0700"}]}`

// inPodDir makes a pod dir with manifest as its pod manifest, and makes it
// the working directory, as it is for every stage1 entrypoint.
func inPodDir(t *testing.T, manifest string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pod"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	return dir
}

func TestPod(t *testing.T) {
	dir := inPodDir(t, testPod)
	// web's image says it speaks sd_notify; side's has no manifest, but the
	// pod manifest says so for it.
	os.MkdirAll(filepath.Join(dir, "appsinfo", "web"), 0o755)
	im := `{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/web",
		"annotations":[{"name":"appc.io/executor/supports-systemd-notify","value":"true"}]}`
	os.WriteFile(filepath.Join(dir, "appsinfo", "web", "manifest"), []byte(im), 0o644)
	p, err := Pod(isolation.Insecure{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Apps) != 2 {
		t.Fatalf("apps %+v", p.Apps)
	}
	web, side := p.Apps[0], p.Apps[1]
	if want := (approot.EmptyVolume{Name: "scratch", Mode: 0o700}); len(p.EmptyVolumes) != 1 || p.EmptyVolumes[0] != want {
		t.Errorf("empty volumes %+v", p.EmptyVolumes)
	}
	wantProc := appproc.App{Exec: []string{"/bin/web", "-v"}, User: "www", Group: "0", SupplementaryGIDs: []int{5},
		WorkingDirectory: "/srv", Environment: []string{"A=b=c"}}
	if web.Name != "web" || !reflect.DeepEqual(web.Proc, wantProc) || !web.ReadOnlyRoot || !web.Notify {
		t.Errorf("web: %+v", web)
	}
	if web.Isolation.Bounding != caps.Of(10) || web.Isolation.Seccomp == nil || web.Limits != (cgroups.Limits{MemoryBytes: 64 << 20}) {
		t.Errorf("web isolation %+v, limits %+v", web.Isolation, web.Limits)
	}
	if want := []approot.Mount{{Source: filepath.Join(dir, podstate.VolumeDir("scratch")), Target: "/tmp/s", Recursive: true}}; !reflect.DeepEqual(web.Mounts, want) {
		t.Errorf("web mounts %+v, want %+v", web.Mounts, want)
	}
	if want := []podspec.Handler{{Event: "pre-start", Exec: []string{"/bin/setup"}}}; !reflect.DeepEqual(web.Handlers, want) {
		t.Errorf("web handlers %+v", web.Handlers)
	}
	if !reflect.DeepEqual(web.SocketPorts, []string{"http"}) {
		t.Errorf("web socket ports %q", web.SocketPorts)
	}
	if side.Name != "side" || !side.Notify || side.ReadOnlyRoot || side.Isolation.Bounding != caps.Default {
		t.Errorf("side: %+v", side)
	}
}

func TestPodRejects(t *testing.T) {
	for name, manifest := range map[string]string{
		"not JSON": `{"acKind":`,
		"no apps":  `{"acKind":"PodManifest","acVersion":"0.8.11","apps":[]}`,
		"bad caps": `{"acKind":"PodManifest","acVersion":"0.8.11","apps":[{"name":"a",
			"image":{"id":"sha512-0000000000000000000000000000000000000000000000000000000000000000"},
			"app":{"exec":["/a"],"user":"0","group":"0",
			"isolators":[{"name":"os/linux/capabilities-retain-set","value":{"set":["CAP_NOPE"]}}]}}]}`,
	} {
		inPodDir(t, manifest)
		if _, err := Pod(isolation.Insecure{}); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	t.Chdir(t.TempDir())
	if _, err := Pod(isolation.Insecure{}); err == nil {
		t.Error("no pod manifest: accepted")
	}
}

func TestNotifySupported(t *testing.T) {
	yes := types.Annotations{{Name: notify.Annotation, Value: "true"}}
	no := types.Annotations{{Name: notify.Annotation, Value: "false"}}
	for _, c := range []struct {
		image, app types.Annotations
		want       bool
	}{
		{nil, nil, false},
		{yes, nil, true},
		{no, nil, false},
		{yes, no, false},
		{nil, yes, true},
	} {
		if got := notifySupported(c.image, c.app); got != c.want {
			t.Errorf("notifySupported(%v, %v) = %v", c.image, c.app, got)
		}
	}
}
