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

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/networking"
	"github.com/saturnpod/saturn/stage1/appcspec"
	"github.com/saturnpod/saturn/stage1/network/inpod"
	"github.com/saturnpod/saturn/stage1/podcfg"
	"github.com/saturnpod/saturn/stage1/podstate"
)

// PluginDir is where the default stage1 image ships the CNI plugins,
// relative to its root.
const PluginDir = "usr/lib/saturn/cni"

// stage1Root is the stage1 root, relative to the pod dir (every
// entrypoint's working directory).
const stage1Root = "stage1/rootfs"

// sbinPath holds iptables and nft, which the plugins exec: stage0's PATH
// (a user's, or a unit's) may lack it.
const sbinPath = "/usr/local/sbin:/usr/sbin:/sbin"

// cni attaches the pod to CNI networks with package networking. run is nil
// in gc, which only needs Teardown.
type cni struct {
	reqs []networking.NetRequest
	run  *podcfg.RunFlags
}

// Start sets up the pod's namespace and networks and starts cmd inside.
// The pod init starts as soon as the namespace exists, so its own start
// overlaps the plugins' work; it waits (inpod.Ready), on a pipe, until the
// networks are up (EOF: they failed). A failure undoes the setup; a crash
// is gc's to undo.
func (c cni) Start(cmd *exec.Cmd) error {
	if c.run == nil {
		return fmt.Errorf("network: CNI start without run flags: %w", errdefs.ErrInvalid)
	}
	opts, err := c.options()
	if err != nil {
		return err
	}
	// Before any network exists: gc tears down what this names. Only CNI
	// networks outlive the pod's processes, so only they are recorded.
	if err := os.WriteFile(podstate.NetFile, []byte(c.run.Net), 0o644); err != nil {
		return err
	}
	ready, readyW, err := os.Pipe()
	if err != nil {
		return err
	}
	defer readyW.Close()
	defer ready.Close()
	inpod.WaitOn(cmd, ready)
	writeResolv := takeResolv(cmd, c.run)
	opts.OnNetns = func(p *networking.Pod) error { return p.Start(cmd) }
	ctx := context.Background()
	p, err := networking.Setup(ctx, opts)
	if err != nil {
		return errors.Join(err, kill(cmd))
	}
	// The pod init keeps the namespace alive, the bind mount keeps it for
	// gc: our fd is no longer needed.
	defer p.Close()
	if writeResolv {
		err = writeResolvConf(p.DNS())
	}
	if err == nil {
		_, err = readyW.Write([]byte{1})
	}
	if err != nil {
		return errors.Join(err, kill(cmd), p.Teardown(ctx))
	}
	return nil
}

// kill ends the pod init if it started, before it learns that the network
// failed and says so: stage1 init reports the error.
func kill(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	if err := cmd.Process.Kill(); err != nil {
		return err
	}
	cmd.Wait()
	return nil
}

// Teardown undoes whatever the pod dir records; it does nothing for a pod
// never set up or already torn down. Both callers (stage1 init after the
// pod init exited, gc after killing what was left) tear down a pod whose
// processes are gone: the namespace goes first (networking.Release).
func (cni) Teardown() error {
	dirs, err := pluginDirs()
	if err != nil {
		return err
	}
	setPluginPath()
	return networking.Release(context.Background(), ".", dirs)
}

// options builds Setup's options from the run flags and the pod manifest.
func (c cni) options() (networking.Options, error) {
	dir, err := os.Getwd()
	if err != nil {
		return networking.Options{}, err
	}
	pm, err := appcspec.ReadManifest()
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
	for _, d := range filepath.SplitList(sbinPath) {
		if !slices.Contains(have, d) {
			have = append(have, d)
		}
	}
	os.Setenv("PATH", strings.Join(have, string(os.PathListSeparator)))
}
