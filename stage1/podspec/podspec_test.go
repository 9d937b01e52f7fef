package podspec

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage1/appproc"
	"github.com/saturnpod/saturn/stage1/approot"
	"github.com/saturnpod/saturn/stage1/cgroups"
	"github.com/saturnpod/saturn/stage1/isolation"
	"github.com/saturnpod/saturn/stage1/isolation/caps"
	"github.com/saturnpod/saturn/stage1/isolation/seccomp"
)

func testPod() *Pod {
	filter := seccomp.Default()
	adj := -500
	return &Pod{
		Apps: []App{{
			Name:         "web",
			Proc:         appproc.App{Exec: []string{"/bin/web"}, User: "www", Group: "www", Environment: []string{"A=b"}},
			Isolation:    isolation.Config{Bounding: caps.Default, NoNewPrivs: true, Seccomp: &filter, OOMScoreAdj: &adj},
			Limits:       cgroups.Limits{MemoryBytes: 1 << 26},
			Mounts:       []approot.Mount{{Source: "/srv", Target: "/data", ReadOnly: true, Recursive: true}},
			ReadOnlyRoot: true,
			Handlers:     []Handler{{Event: "pre-start", Exec: []string{"/bin/setup"}}},
			SocketPorts:  []string{"http"},
			Notify:       true,
		}},
		EmptyVolumes: []approot.EmptyVolume{{Name: "v", Mode: 0o1770, UID: 1, GID: 2}},
	}
}

func TestSendReceiveOverAPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// As in the pod init: the fd comes by number, named in the environment.
	t.Setenv(EnvFd, strconv.Itoa(int(r.Fd())))
	want := testPod()
	go Send(w, want)
	got, err := Receive()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if _, ok := os.LookupEnv(EnvFd); ok {
		t.Error(EnvFd + " left in the environment")
	}
}

func TestAttach(t *testing.T) {
	cmd := exec.Command("/bin/true")
	cmd.Env = []string{}
	Attach(cmd, os.Stdin)
	if len(cmd.ExtraFiles) != 1 || !reflect.DeepEqual(cmd.Env, []string{EnvFd + "=3"}) {
		t.Errorf("extra files %v, env %q", cmd.ExtraFiles, cmd.Env)
	}
}

func TestReadRejects(t *testing.T) {
	noExec := testPod()
	noExec.Apps[0].Proc.Exec = nil
	for name, p := range map[string]*Pod{
		"no apps":        {},
		"no exec":        noExec,
		"name with /":    {Apps: []App{{Name: "../x", Proc: appproc.App{Exec: []string{"/a"}}}}},
		"name ..":        {Apps: []App{{Name: "..", Proc: appproc.App{Exec: []string{"/a"}}}}},
		"name empty":     {Apps: []App{{Proc: appproc.App{Exec: []string{"/a"}}}}},
		"name with NULL": {Apps: []App{{Name: "a\x00", Proc: appproc.App{Exec: []string{"/a"}}}}},
	} {
		if err := p.Validate(); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// What a stage1 init that failed before it sent anything leaves.
	for name, in := range map[string]string{"empty": "", "torn": `{"apps":[{"name":"a"`, "not a pod": `[1]`} {
		if _, err := Read(io.NopCloser(strings.NewReader(in))); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Read(io.NopCloser(strings.NewReader(strings.Repeat(" ", maxSize+1)))); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("oversized: %v", err)
	}
	t.Setenv(EnvFd, "")
	os.Unsetenv(EnvFd)
	if _, err := Receive(); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("no %s: %v", EnvFd, err)
	}
}
