package stage0

import (
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"

	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// parseVolumes parses --volume NAME,kind=host,source=P[,readOnly=true] and
// NAME,kind=empty values.
func parseVolumes(specs []string) ([]types.Volume, error) {
	var vols []types.Volume
	seen := map[types.ACName]bool{}
	for _, s := range specs {
		v, err := types.VolumeFromString(s)
		if err != nil {
			return nil, fmt.Errorf("--volume %s: %v: %w", s, err, errdefs.ErrInvalid)
		}
		if seen[v.Name] {
			return nil, fmt.Errorf("--volume %s: volume %s given twice: %w", s, v.Name, errdefs.ErrInvalid)
		}
		seen[v.Name] = true
		vols = append(vols, *v)
	}
	return vols, nil
}

// parseMount parses a per-app --mount volume=NAME,target=PATH.
func parseMount(s string) (schema.Mount, error) {
	var m schema.Mount
	for _, f := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "volume":
			n, err := types.NewACName(v)
			if err != nil {
				return m, fmt.Errorf("--mount %s: %v: %w", s, err, errdefs.ErrInvalid)
			}
			m.Volume = *n
		case "target":
			m.Path = v
		default:
			return m, fmt.Errorf("--mount %s: unknown key %q: %w", s, k, errdefs.ErrInvalid)
		}
	}
	if m.Volume == "" || !path.IsAbs(m.Path) {
		return m, fmt.Errorf("--mount %s: want volume=NAME,target=/ABS/PATH: %w", s, errdefs.ErrInvalid)
	}
	return m, nil
}

// appMounts is an app's mounts: its --mount flags, then each image mount
// point that names a pod volume and is not mounted yet, so stage1 reads
// one list.
func appMounts(a *App, app *types.App, vols []types.Volume) ([]schema.Mount, error) {
	have := map[types.ACName]bool{}
	for _, v := range vols {
		have[v.Name] = true
	}
	var ms []schema.Mount
	paths := map[string]bool{}
	for _, s := range a.Mounts {
		m, err := parseMount(s)
		if err != nil {
			return nil, err
		}
		if !have[m.Volume] {
			return nil, fmt.Errorf("--mount %s: no --volume %s: %w", s, m.Volume, errdefs.ErrInvalid)
		}
		if paths[m.Path] {
			return nil, fmt.Errorf("--mount %s: %s mounted twice: %w", s, m.Path, errdefs.ErrInvalid)
		}
		paths[m.Path] = true
		ms = append(ms, m)
	}
	for _, mp := range app.MountPoints {
		if have[mp.Name] && !paths[mp.Path] {
			paths[mp.Path] = true
			ms = append(ms, schema.Mount{Volume: mp.Name, Path: mp.Path})
		}
	}
	return ms, nil
}

// parsePorts parses --port NAME:[HOSTIP:]HOSTPORT.
func parsePorts(specs []string) ([]types.ExposedPort, error) {
	var ps []types.ExposedPort
	for _, s := range specs {
		parts := strings.Split(s, ":")
		if len(parts) < 2 || len(parts) > 3 {
			return nil, fmt.Errorf("--port %s: want NAME:[HOSTIP:]HOSTPORT: %w", s, errdefs.ErrInvalid)
		}
		n, err := types.NewACName(parts[0])
		if err != nil {
			return nil, fmt.Errorf("--port %s: %v: %w", s, err, errdefs.ErrInvalid)
		}
		port, err := strconv.ParseUint(parts[len(parts)-1], 10, 16)
		if err != nil || port == 0 {
			return nil, fmt.Errorf("--port %s: bad host port: %w", s, errdefs.ErrInvalid)
		}
		ep := types.ExposedPort{Name: *n, HostPort: uint(port)}
		if len(parts) == 3 {
			if ep.HostIP = net.ParseIP(parts[1]); ep.HostIP == nil {
				return nil, fmt.Errorf("--port %s: bad host IP: %w", s, errdefs.ErrInvalid)
			}
		}
		ps = append(ps, ep)
	}
	return ps, nil
}

// parseAnnotations parses k=v pairs into appc annotations.
func parseAnnotations(kvs []string) (types.Annotations, error) {
	var as types.Annotations
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		id, err := types.NewACIdentifier(k)
		if !ok || err != nil {
			return nil, fmt.Errorf("--annotation %s: want NAME=VALUE with an AC identifier name: %w", kv, errdefs.ErrInvalid)
		}
		as.Set(*id, v)
	}
	return as, nil
}
