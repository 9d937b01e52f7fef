package networking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Setup creates the pod's network namespace and attaches it to opts.Nets,
// recording in <PodDir>/net/state.json what it is about to do before each
// step. On failure it undoes what it did and returns the error; if it is
// killed instead, Teardown undoes it. "host" is refused: stage1 keeps the
// host's namespace itself.
func Setup(ctx context.Context, opts Options) (p *Pod, err error) {
	o := opts.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	rec := &record{Version: 1, ContainerID: o.UUID, HostMountNS: o.HostMountNS}
	// Resolve every configuration before touching the host: a typo in
	// --net fails with nothing to undo.
	if rec.Nets, err = plan(o); err != nil {
		return nil, err
	}
	dir := filepath.Join(o.PodDir, StateDir)
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("networking: %s: %w", dir, errdefs.ErrAlreadyExists)
		}
		return nil, err
	}
	rec.NetnsPath = filepath.Join(o.NetnsDir, o.UUID)
	if err := writeRecord(o.PodDir, rec); err != nil {
		return nil, err
	}
	p = &Pod{podDir: o.PodDir, rec: rec, pluginDirs: o.PluginDirs}
	defer func() {
		if err != nil {
			err = errors.Join(err, p.Teardown(context.WithoutCancel(ctx)))
			p = nil
		}
	}()
	if p.netns, err = NewNetns(); err != nil {
		return p, err
	}
	if err := persistNetns(p.netns, rec.NetnsPath, rec.HostMountNS); err != nil {
		return p, err
	}
	if o.OnNetns != nil {
		if err := o.OnNetns(p); err != nil {
			return p, err
		}
	}
	for i := range rec.Nets {
		info, err := p.addNet(ctx, &rec.Nets[i])
		if err != nil {
			return p, err
		}
		p.infos = append(p.infos, info)
	}
	if len(rec.Nets) > 0 {
		if err := writeInfo(o.PodDir, p.infos); err != nil {
			return p, err
		}
	}
	return p, nil
}

// plan resolves the requested networks into records, interfaces eth0,
// eth1, ... in order. "none" plans no network: just the namespace. Ports
// go to the first network with a portMappings plugin: two networks
// forwarding the same host port would fight over it.
func plan(o Options) ([]netRecord, error) {
	var nets []netRecord
	portsGiven := len(o.Ports) == 0
	for _, req := range o.Nets {
		switch req.Name {
		case NetHost:
			return nil, fmt.Errorf("networking: --net=host needs no setup: %w", errdefs.ErrInvalid)
		case NetNone:
			continue
		}
		b, err := netConfig(req.Name, o)
		if err != nil {
			return nil, err
		}
		list, err := parseAny(b)
		if err != nil {
			return nil, fmt.Errorf("network %q: %v: %w", req.Name, err, errdefs.ErrInvalid)
		}
		n := netRecord{Name: req.Name, IfName: fmt.Sprintf("eth%d", len(nets)),
			Args: req.Args, Config: list.Bytes, Phase: phasePending}
		for _, pl := range list.Plugins {
			if !portsGiven && pl.Network.Capabilities["portMappings"] {
				n.CapabilityArgs = map[string]any{"portMappings": o.Ports}
				portsGiven = true
			}
		}
		nets = append(nets, n)
	}
	if !portsGiven {
		return nil, fmt.Errorf("networking: --port needs a network with a portMappings plugin (default has one): %w", errdefs.ErrInvalid)
	}
	return nets, nil
}

// addNet runs the ADD of every plugin of n's list, recording the phase
// before and each plugin's result after.
func (p *Pod) addNet(ctx context.Context, n *netRecord) (NetInfo, error) {
	a, err := newAttachment(n, p.rec.ContainerID, p.netnsArg(), p.pluginDirs)
	if err != nil {
		return NetInfo{}, err
	}
	n.Phase = phaseAdding
	if err := writeRecord(p.podDir, p.rec); err != nil {
		return NetInfo{}, err
	}
	var res *current.Result
	for i := range a.list.Plugins {
		r, err := a.add(ctx, i, n.Result)
		if err != nil {
			return NetInfo{}, err
		}
		if res, err = current.NewResultFromResult(r); err != nil {
			return NetInfo{}, fmt.Errorf("network %q: %w", n.Name, err)
		}
		if n.Result, err = json.Marshal(r); err != nil {
			return NetInfo{}, err
		}
		n.Done = i + 1
		if err := writeRecord(p.podDir, p.rec); err != nil {
			return NetInfo{}, err
		}
	}
	n.Phase = phaseAdded
	if err := writeRecord(p.podDir, p.rec); err != nil {
		return NetInfo{}, err
	}
	info := netInfo(n.Name, n.IfName, res)
	slog.Debug("networking: attached", "network", n.Name, "interface", n.IfName, "ips", info.IPs)
	return info, nil
}
