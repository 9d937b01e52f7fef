package networking

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
)

// attachment is one network on one interface of the pod, as the plugins of
// its list see it. It runs the list's plugins one by one rather than
// through libcni's AddNetworkList/DelNetworkList: the record must hold the
// result of every plugin that returned (a crash or failure half-way
// through the list must be undone with the right prevResult), and a DEL
// that fails in one plugin must not stop the DEL of the others.
type attachment struct {
	list       *libcni.NetworkConfigList
	pluginDirs []string
	id, netns  string
	ifName     string
	args       [][2]string
	capArgs    map[string]any
}

func newAttachment(n *netRecord, id, netns string, pluginDirs []string) (*attachment, error) {
	list, err := libcni.NetworkConfFromBytes(n.Config)
	if err != nil {
		return nil, fmt.Errorf("network %q: %w", n.Name, err)
	}
	return &attachment{list: list, pluginDirs: pluginDirs, id: id, netns: netns,
		ifName: n.IfName, args: n.Args, capArgs: n.CapabilityArgs}, nil
}

// add runs ADD of plugin i with prevResult prev (nil for the first).
func (a *attachment) add(ctx context.Context, i int, prev json.RawMessage) (types.Result, error) {
	path, conf, err := a.prepare(i, prev)
	if err != nil {
		return nil, err
	}
	res, err := invoke.ExecPluginWithResult(ctx, path, conf, a.cniArgs("ADD"), pluginExec())
	if err != nil {
		return nil, fmt.Errorf("network %q: plugin %s (add): %w", a.list.Name, a.list.Plugins[i].Network.Type, err)
	}
	return res, nil
}

// del runs DEL of plugin i with prevResult prev.
func (a *attachment) del(ctx context.Context, i int, prev json.RawMessage) error {
	path, conf, err := a.prepare(i, prev)
	if err == nil {
		err = invoke.ExecPluginWithoutResult(ctx, path, conf, a.cniArgs("DEL"), pluginExec())
	}
	if err != nil {
		return fmt.Errorf("network %q: plugin %s (del): %w", a.list.Name, a.list.Plugins[i].Network.Type, err)
	}
	return nil
}

// prepare finds plugin i and builds its stdin the way libcni does for a
// list: the list's name and version, prevResult, and the capability
// arguments the plugin advertises, under runtimeConfig.
func (a *attachment) prepare(i int, prev json.RawMessage) (string, []byte, error) {
	plugin := a.list.Plugins[i]
	path, err := invoke.FindInPath(plugin.Network.Type, a.pluginDirs)
	if err != nil {
		return "", nil, err
	}
	inject := map[string]any{"name": a.list.Name, "cniVersion": a.list.CNIVersion}
	if len(prev) > 0 {
		inject["prevResult"] = prev
	}
	rc := map[string]any{}
	for capName, on := range plugin.Network.Capabilities {
		if v, ok := a.capArgs[capName]; ok && on {
			rc[capName] = v
		}
	}
	if len(rc) > 0 {
		inject["runtimeConfig"] = rc
	}
	conf, err := libcni.InjectConf(plugin, inject)
	if err != nil {
		return "", nil, err
	}
	return path, conf.Bytes, nil
}

func (a *attachment) cniArgs(cmd string) *invoke.Args {
	args := a.args
	if len(args) > 0 {
		// Plugins refuse CNI_ARGS keys they do not know unless told.
		args = append([][2]string{{"IgnoreUnknown", "1"}}, args...)
	}
	return &invoke.Args{
		Command:     cmd,
		ContainerID: a.id,
		NetNS:       a.netns,
		IfName:      a.ifName,
		PluginArgs:  args,
		Path:        strings.Join(a.pluginDirs, string(os.PathListSeparator)),
	}
}

// pluginExec runs plugins with their stderr on ours: their own error
// messages are the best explanation of a failure.
func pluginExec() invoke.Exec {
	return &invoke.DefaultExec{RawExec: &invoke.RawExec{Stderr: os.Stderr}, PluginDecoder: version.PluginDecoder{}}
}
