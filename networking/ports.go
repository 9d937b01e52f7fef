package networking

import (
	"fmt"

	"github.com/appc/spec/schema"
	"github.com/appc/spec/schema/types"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// PortsFromManifest turns the pod manifest's exposed ports (--port=NAME:
// [HOSTIP:]HOSTPORT, written by stage0) into port mappings: each names a
// port that an app of the pod declares (or carries its own podPort), whose
// protocol and number it forwards to. A port with a count forwards that
// many consecutive ports.
func PortsFromManifest(pm *schema.PodManifest) ([]PortMapping, error) {
	var out []PortMapping
	for _, ep := range pm.Ports {
		p := ep.PodPort
		if p == nil {
			var err error
			if p, err = appPort(pm, ep.Name); err != nil {
				return nil, err
			}
		}
		count := max(p.Count, 1)
		if ep.HostPort == 0 || ep.HostPort+count-1 > 65535 || p.Port == 0 || p.Port+count-1 > 65535 {
			return nil, fmt.Errorf("port %q: %d->%d (count %d) out of range: %w", ep.Name, ep.HostPort, p.Port, count, errdefs.ErrInvalid)
		}
		hostIP := ""
		if ep.HostIP != nil {
			hostIP = ep.HostIP.String()
		}
		for i := range count {
			out = append(out, PortMapping{HostPort: int(ep.HostPort + i), ContainerPort: int(p.Port + i),
				Protocol: p.Protocol, HostIP: hostIP})
		}
	}
	return out, nil
}

// appPort finds the port named name among the apps' ports; two apps
// declaring it differently is ambiguous.
func appPort(pm *schema.PodManifest, name types.ACName) (*types.Port, error) {
	var found *types.Port
	for _, ra := range pm.Apps {
		if ra.App == nil {
			continue
		}
		for i, p := range ra.App.Ports {
			if p.Name != name {
				continue
			}
			if found != nil && (found.Port != p.Port || found.Protocol != p.Protocol) {
				return nil, fmt.Errorf("port %q: declared differently by several apps: %w", name, errdefs.ErrAmbiguous)
			}
			found = &ra.App.Ports[i]
		}
	}
	if found == nil {
		return nil, fmt.Errorf("port %q: no app of the pod declares it: %w", name, errdefs.ErrNotFound)
	}
	return found, nil
}
