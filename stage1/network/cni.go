package network

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/saturnpod/saturn/networking"
	"github.com/saturnpod/saturn/stage1/podcfg"
)

// PluginDir is where the default stage1 image ships the CNI plugins,
// relative to its root.
const PluginDir = "usr/lib/saturn/cni"

// stage1Root is the stage1 root, relative to the pod dir (every
// entrypoint's working directory).
const stage1Root = "stage1/rootfs"

// sbinDirs hold iptables and nft, which the plugins exec: stage0's PATH
// (a user's, or a unit's) may lack them.
var sbinDirs = [...]string{"/usr/local/sbin", "/usr/sbin", "/sbin"}

// cni attaches the pod to CNI networks with package networking. run is nil
// in the pod init and in gc, which only need InPod and Teardown.
type cni struct {
	reqs []networking.NetRequest
	run  *podcfg.RunFlags
}

// Start sets up the pod's namespace and networks, then starts cmd inside.
// A failure after Setup undoes it; a crash is gc's to undo.
func (c cni) Start(cmd *exec.Cmd) error {
	if c.run == nil {
		return fmt.Errorf("network: CNI start without run flags")
	}
	opts, err := c.options()
	if err != nil {
		return err
	}
	ctx := context.Background()
	p, err := networking.Setup(ctx, opts)
	if err != nil {
		return err
	}
	// The pod init and its apps keep the namespace alive; the bind mount
	// keeps it for gc; our fd is no longer needed once cmd has started.
	defer p.Close()
	if err := useNetworkDNS(cmd, c.run, p.DNS()); err == nil {
		err = p.Start(cmd)
	}
	if err != nil {
		return errors.Join(err, p.Teardown(ctx))
	}
	return nil
}

// InPod has nothing to do: Setup brought lo up, the plugins the rest.
func (cni) InPod() error { return nil }

// Teardown undoes whatever the pod dir records; it does nothing for a pod
// never set up or already torn down.
func (cni) Teardown() error {
	dirs, err := pluginDirs()
	if err != nil {
		return err
	}
	setPluginPath()
	return networking.Teardown(context.Background(), ".", dirs)
}

// options builds Setup's options from the run flags and the pod manifest.
func (c cni) options() (networking.Options, error) {
	dir, err := os.Getwd()
	if err != nil {
		return networking.Options{}, err
	}
	pm, err := podcfg.ReadManifest()
	if err != nil {
		return networking.Options{}, err
	}
	ports, err := networking.PortsFromManifest(pm)
	if err != nil {
		return networking.Options{}, err
	}
	dirs, err := pluginDirs()
	if err != nil {
		return networking.Options{}, err
	}
	setPluginPath()
	return networking.Options{PodDir: dir, UUID: c.run.UUID, Nets: c.reqs,
		LocalConfigDir: c.run.LocalConfig, PluginDirs: dirs, Ports: ports}, nil
}

// pluginDirs is the stage1 image's plugin directory, absolute: the plugins
// run with their own working directory.
func pluginDirs() ([]string, error) {
	dir, err := filepath.Abs(filepath.Join(stage1Root, PluginDir))
	if err != nil {
		return nil, err
	}
	return []string{dir}, nil
}

// setPluginPath makes sure PATH, which the plugins inherit, has the sbin
// directories.
func setPluginPath() {
	path := os.Getenv("PATH")
	have := filepath.SplitList(path)
	for _, d := range sbinDirs {
		if !slices.Contains(have, d) {
			have = append(have, d)
		}
	}
	os.Setenv("PATH", strings.Join(have, string(os.PathListSeparator)))
}
