package sdactivation

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"testing"
)

// ports lists the names of the socket-activated ports among name,
// activated pairs.
func ports(specs ...string) []string {
	var out []string
	for i := 0; i < len(specs); i += 2 {
		if specs[i+1] == "true" {
			out = append(out, specs[i])
		}
	}
	return out
}

func TestForApp(t *testing.T) {
	socks := []Socket{{Name: "web"}, {Name: "dns.socket"}, {Name: "other"}, {Name: "admin"}}
	got := ForApp(socks, ports("web", "true", "dns", "true", "admin", "false"))
	var names []string
	for _, s := range got {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"web", "dns.socket"}) {
		t.Errorf("ForApp = %v", names)
	}
	un := Unclaimed(socks, [][]string{ports("web", "true"), ports("dns", "true")})
	if !slices.Equal(un, []string{"other", "admin"}) {
		t.Errorf("Unclaimed = %v", un)
	}
}

func TestPassInherited(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	cmd := &exec.Cmd{ExtraFiles: []*os.File{r}}
	Pass(cmd, []Socket{{Name: "a", File: w}, {Name: "b", File: w}})
	if len(cmd.ExtraFiles) != 3 {
		t.Fatalf("ExtraFiles: %d", len(cmd.ExtraFiles))
	}
	env := map[string]string{}
	for _, kv := range cmd.Env {
		if k, v, ok := cutEnv(kv); ok {
			env[k] = v
		}
	}
	if env[envPodFirst] != "4" || env[envPodNames] != "a:b" {
		t.Errorf("env: %s=%s %s=%s", envPodFirst, env[envPodFirst], envPodNames, env[envPodNames])
	}
}

func cutEnv(kv string) (string, string, bool) {
	for i := range kv {
		if kv[i] == '=' {
			return kv[:i], kv[i+1:], true
		}
	}
	return "", "", false
}

func TestHelperEnv(t *testing.T) {
	if HelperEnv(nil) != nil || HelperSock() != FirstFD {
		t.Fatal("without sockets the helper's channel is fd 3")
	}
	env := HelperEnv([]Socket{{Name: "web"}, {Name: "dns"}})
	k, v, _ := cutEnv(env[0])
	t.Setenv(k, v)
	if HelperSock() != 5 {
		t.Errorf("HelperSock = %d", HelperSock())
	}
	app := AppEnv([]string{"PATH=/bin", "LISTEN_FDS=9"})
	want := []string{"PATH=/bin", "LISTEN_PID=" + strconv.Itoa(os.Getpid()), "LISTEN_FDS=2", "LISTEN_FDNAMES=web:dns"}
	if !slices.Equal(app, want) {
		t.Errorf("AppEnv = %v", app)
	}
}
