package aci

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"
	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/store"
)

// Spec describes the manifest of an image to build, in the forms the
// `image build` flags take.
type Spec struct {
	Name          string
	Labels        []string // k=v
	Annotations   []string // k=v
	Exec          string   // "CMD ARGS", split like a shell would (quotes, backslashes)
	User, Group   string   // default "0"
	Env           []string // K=V
	WorkingDir    string
	Ports         []string // name:proto:port[,socketActivated=true][,count=N]
	Mounts        []string // name:path[,readOnly=true]
	Isolators     []string // name=JSON value
	EventHandlers []string // pre-start=CMD ARGS, post-stop=CMD ARGS
	PathWhitelist []string
	Dependencies  []types.Dependency
}

// Manifest builds and checks the manifest JSON. It is checked with the same
// parser imports use, so a built image is never one fetch refuses.
func (sp Spec) Manifest() ([]byte, error) {
	m := schema.BlankImageManifest()
	name, err := types.NewACIdentifier(sp.Name)
	if err != nil {
		return nil, invalid("name %q: %v", sp.Name, err)
	}
	m.Name = *name
	for _, kv := range sp.Labels {
		k, v, err := splitKV(kv, "label")
		if err != nil {
			return nil, err
		}
		ln, err := types.NewACIdentifier(k)
		if err != nil {
			return nil, invalid("label %q: %v", k, err)
		}
		m.Labels = append(m.Labels, types.Label{Name: *ln, Value: v})
	}
	for _, kv := range sp.Annotations {
		k, v, err := splitKV(kv, "annotation")
		if err != nil {
			return nil, err
		}
		an, err := types.NewACIdentifier(k)
		if err != nil {
			return nil, invalid("annotation %q: %v", k, err)
		}
		m.Annotations.Set(*an, v)
	}
	m.Dependencies = sp.Dependencies
	m.PathWhitelist = sp.PathWhitelist
	if sp.Exec != "" {
		if m.App, err = sp.app(); err != nil {
			return nil, err
		}
	} else if sp.hasApp() {
		return nil, invalid("app settings (user, env, ports, ...) need --exec")
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, invalid("manifest: %v", err)
	}
	if _, err := store.ParseManifest(b); err != nil {
		return nil, err
	}
	return b, nil
}

func (sp Spec) hasApp() bool {
	return sp.User != "" || sp.Group != "" || len(sp.Env) > 0 || sp.WorkingDir != "" || len(sp.Ports) > 0 ||
		len(sp.Mounts) > 0 || len(sp.Isolators) > 0 || len(sp.EventHandlers) > 0
}

func (sp Spec) app() (*types.App, error) {
	exec, err := SplitCommand(sp.Exec)
	if err != nil {
		return nil, err
	}
	a := &types.App{Exec: exec, User: or(sp.User, "0"), Group: or(sp.Group, "0"), WorkingDirectory: sp.WorkingDir,
		Environment: types.Environment{}}
	for _, kv := range sp.Env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, invalid("env %q is not K=V", kv)
		}
		a.Environment.Set(k, v)
	}
	for _, p := range sp.Ports {
		port, err := parsePort(p)
		if err != nil {
			return nil, err
		}
		a.Ports = append(a.Ports, port)
	}
	for _, mp := range sp.Mounts {
		spec, opts, _ := strings.Cut(mp, ",")
		n, p, ok := strings.Cut(spec, ":")
		mn, err := types.NewACName(n)
		if !ok || err != nil || !strings.HasPrefix(p, "/") {
			return nil, invalid("mount %q is not name:/path[,readOnly=true]", mp)
		}
		ro := false
		if opts != "" {
			if ro, err = strconv.ParseBool(strings.TrimPrefix(opts, "readOnly=")); err != nil || !strings.HasPrefix(opts, "readOnly=") {
				return nil, invalid("mount %q: unknown option %q", mp, opts)
			}
		}
		a.MountPoints = append(a.MountPoints, types.MountPoint{Name: *mn, Path: p, ReadOnly: ro})
	}
	for _, iso := range sp.Isolators {
		n, v, ok := strings.Cut(iso, "=")
		if !ok {
			return nil, invalid("isolator %q is not name=JSON", iso)
		}
		if err := store.CheckIsolator(n, json.RawMessage(v)); err != nil {
			return nil, err
		}
		var i types.Isolator
		if err := json.Unmarshal(mustJSON(map[string]any{"name": n, "value": json.RawMessage(v)}), &i); err != nil {
			return nil, invalid("isolator %q: %v", n, err)
		}
		a.Isolators = append(a.Isolators, i)
	}
	for _, eh := range sp.EventHandlers {
		n, cmd, ok := strings.Cut(eh, "=")
		if !ok || (n != "pre-start" && n != "post-stop") {
			return nil, invalid("event handler %q is not pre-start=CMD or post-stop=CMD", eh)
		}
		args, err := SplitCommand(cmd)
		if err != nil {
			return nil, err
		}
		a.EventHandlers = append(a.EventHandlers, types.EventHandler{Name: n, Exec: args})
	}
	return a, nil
}

func parsePort(p string) (types.Port, error) {
	spec, opts, _ := strings.Cut(p, ",")
	f := strings.Split(spec, ":")
	bad := invalid("port %q is not name:proto:port[,socketActivated=true][,count=N]", p)
	if len(f) != 3 {
		return types.Port{}, bad
	}
	n, err := types.NewACName(f[0])
	num, err2 := strconv.ParseUint(f[2], 10, 16)
	if err != nil || err2 != nil || (f[1] != "tcp" && f[1] != "udp") || num == 0 {
		return types.Port{}, bad
	}
	port := types.Port{Name: *n, Protocol: f[1], Port: uint(num), Count: 1}
	for o := range strings.SplitSeq(opts, ",") {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "":
		case "socketActivated":
			if port.SocketActivated, err = strconv.ParseBool(v); err != nil {
				return types.Port{}, bad
			}
		case "count":
			c, err := strconv.ParseUint(v, 10, 16)
			if err != nil || c == 0 || uint(num)+uint(c) > 65536 {
				return types.Port{}, bad
			}
			port.Count = uint(c)
		default:
			return types.Port{}, bad
		}
	}
	return port, nil
}

func splitKV(kv, what string) (string, string, error) {
	k, v, ok := strings.Cut(kv, "=")
	if !ok || k == "" {
		return "", "", invalid("%s %q is not name=value", what, kv)
	}
	return k, v, nil
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func invalid(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, errdefs.ErrInvalid)...)
}
