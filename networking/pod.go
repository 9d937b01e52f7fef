package networking

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"

	"golang.org/x/sys/unix"
)

// Pod is a pod's network as set up, or as Load found it.
type Pod struct {
	podDir     string
	rec        *record
	pluginDirs []string
	// netns is the open namespace; nil once it is gone.
	netns *os.File
	infos []NetInfo
}

// Load reads what Setup recorded in podDir and opens the namespace if it
// is still there. A pod never set up is errdefs.ErrNotFound.
func Load(podDir string, pluginDirs []string) (*Pod, error) {
	rec, err := readRecord(podDir)
	if err != nil {
		return nil, err
	}
	p := &Pod{podDir: podDir, rec: rec, pluginDirs: pluginDirs}
	if rec.NetnsPath != "" {
		if p.netns, err = openNetns(rec.NetnsPath, rec.HostMountNS); err != nil {
			return nil, err
		}
	}
	if infos, err := ReadInfo(podDir); err == nil {
		p.infos = infos
	}
	return p, nil
}

// NetnsPath is where the namespace is bind-mounted: in the host's mount
// namespace, or in the caller's where the host's is out of reach.
func (p *Pod) NetnsPath() string { return p.rec.NetnsPath }

// NetnsFile is the open namespace (nil if it is gone), e.g. to hand to a
// child in ExtraFiles; Close closes it.
func (p *Pod) NetnsFile() *os.File { return p.netns }

// Start starts cmd inside the pod's namespace (StartIn). The caller holds
// runtime.LockOSThread, which also keeps cmd's Pdeathsig tied to a thread
// that lives on. Moving back matters: a plugin that Teardown later execs
// from this thread must start in the host's namespace.
func (p *Pod) Start(cmd *exec.Cmd) error {
	if p.netns == nil {
		return fmt.Errorf("networking: the pod netns is gone: %w", os.ErrNotExist)
	}
	return StartIn(p.netns, cmd)
}

// StartIn starts cmd inside the network namespace ns: it moves the
// calling OS thread (locked by the caller) into ns, starts cmd (the child
// inherits the thread's namespace), and moves the thread back.
func StartIn(ns *os.File, cmd *exec.Cmd) error {
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		return err
	}
	defer orig.Close()
	if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("networking: join pod netns: %w", err)
	}
	startErr := cmd.Start()
	if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
		// The thread stays in the pod: the caller's lock keeps it from
		// other goroutines, and it should exit rather than exec plugins.
		return errors.Join(startErr, fmt.Errorf("networking: leave pod netns: %w", err))
	}
	return startErr
}

// Do runs fn on an OS thread switched into the pod's namespace: sockets fn
// opens belong to the pod, goroutines it starts do not run there.
func (p *Pod) Do(fn func() error) error {
	if p.netns == nil {
		return fmt.Errorf("networking: the pod netns is gone: %w", os.ErrNotExist)
	}
	return inNetns(p.netns, fn)
}

// Networks describes each network of the pod, in interface order.
func (p *Pod) Networks() []NetInfo { return slices.Clone(p.infos) }

// DNS merges the DNS settings of the CNI results, first network first,
// for stage1 to write resolv.conf when --dns does not say otherwise.
func (p *Pod) DNS() DNS {
	var d DNS
	for _, ni := range p.infos {
		if ni.DNS == nil {
			continue
		}
		for _, ns := range ni.DNS.Nameservers {
			if !slices.Contains(d.Nameservers, ns) {
				d.Nameservers = append(d.Nameservers, ns)
			}
		}
		if d.Domain == "" {
			d.Domain = ni.DNS.Domain
		}
		d.Search = append(d.Search, ni.DNS.Search...)
		d.Options = append(d.Options, ni.DNS.Options...)
	}
	return d
}

// Close closes the namespace fd. The namespace lives on while its mount
// or a process of the pod holds it.
func (p *Pod) Close() error {
	if p.netns == nil {
		return nil
	}
	err := p.netns.Close()
	p.netns = nil
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}

// netnsArg is CNI_NETNS: a path to the open namespace that resolves in
// whatever mount namespace the plugins run in, or the recorded path when
// the namespace is gone (plugins must tolerate a missing one on DEL).
func (p *Pod) netnsArg() string {
	if p.netns == nil {
		return p.rec.NetnsPath
	}
	return fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), p.netns.Fd())
}
