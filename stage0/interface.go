package stage0

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/appc/spec/schema"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage0/pod"
)

// The stage1 image annotations that name its entrypoints, as in rkt.
const (
	annotationRun              = "coreos.com/rkt/stage1/run"
	annotationEnter            = "coreos.com/rkt/stage1/enter"
	annotationGC               = "coreos.com/rkt/stage1/gc"
	annotationStop             = "coreos.com/rkt/stage1/stop"
	annotationInterfaceVersion = "coreos.com/rkt/stage1/interface-version"
)

// InterfaceVersion is the highest stage1 interface version stage0 speaks.
// Versions as rkt defined them:
//
//	1: --debug --net --interactive --mds-token --local-config --private-users, UUID
//	2: + --hostname
//	3: + --disable-capabilities-restriction --disable-paths --disable-seccomp
//	4: + --dns-conf-mode
const InterfaceVersion = 4

// stage1Info is what stage0 needs of a pod's stage1: its manifest and tree.
type stage1Info struct {
	manifest *schema.ImageManifest
	version  int
	tree     string // rendered rootfs in the tree store
}

// readStage1 reads a prepared pod's stage1 manifest and finds its tree.
func (r *Runtime) readStage1(podDir string) (*stage1Info, error) {
	b, err := os.ReadFile(pod.Stage1ManifestPath(podDir))
	if err != nil {
		return nil, fmt.Errorf("read stage1 manifest: %w", err)
	}
	var im schema.ImageManifest
	if err := json.Unmarshal(b, &im); err != nil {
		return nil, fmt.Errorf("stage1 manifest: %v: %w", err, errdefs.ErrInvalid)
	}
	v := 1 // rkt: no annotation means version 1
	if s, ok := im.Annotations.Get(annotationInterfaceVersion); ok {
		if v, err = strconv.Atoi(s); err != nil || v < 1 {
			return nil, fmt.Errorf("stage1 interface version %q: %w", s, errdefs.ErrInvalid)
		}
	}
	idb, err := os.ReadFile(pod.Stage1TreeStoreIDPath(podDir))
	if err != nil {
		return nil, fmt.Errorf("read stage1 tree ID: %w", err)
	}
	st, err := r.Store()
	if err != nil {
		return nil, err
	}
	tree, err := st.TreeRootfs(strings.TrimSpace(string(idb)))
	if err != nil {
		return nil, fmt.Errorf("stage1 tree: %w", err)
	}
	return &stage1Info{manifest: &im, version: v, tree: tree}, nil
}

// entrypoint returns the path (inside the stage1 root) an annotation names.
func (s *stage1Info) entrypoint(annotation string) (string, error) {
	ep, ok := s.manifest.Annotations.Get(annotation)
	if !ok || ep == "" {
		return "", fmt.Errorf("stage1 %s has no %s entrypoint: %w", s.manifest.Name, annotation, errdefs.ErrNotFound)
	}
	return ep, nil
}

// RunOptions are the stage1 run flags.
type RunOptions struct {
	Net         string   // --net, e.g. default, host, none; "" means default
	Hostname    string   // --hostname
	DNS         []string // nameservers: stage0 writes resolv.conf for stage1
	DNSSearch   []string
	DNSOptions  []string
	Interactive bool
	MDSToken    string
	LocalConfig string
	// InsecureOptions: "capabilities", "paths", "seccomp" (others are
	// image-fetch options and ignored here).
	InsecureOptions []string
}

// runArgs builds the run entrypoint's flags for the stage1's interface
// version; a flag the version lacks is dropped with a warning, as rkt did.
func (r *Runtime) runArgs(o RunOptions, version int, uuid string) []string {
	var args []string
	if r.cfg.Debug {
		args = append(args, "--debug")
	}
	net := o.Net
	if net == "" {
		net = "default"
	}
	args = append(args, "--net="+net)
	if o.Interactive {
		args = append(args, "--interactive")
	}
	if o.MDSToken != "" {
		args = append(args, "--mds-token="+o.MDSToken)
	}
	if o.LocalConfig != "" {
		args = append(args, "--local-config="+o.LocalConfig)
	}
	warn := func(flag string) {
		r.log.Warn("stage1 interface version too old for flag, not passed", "flag", flag, "version", version)
	}
	if o.Hostname != "" {
		if version >= 2 {
			args = append(args, "--hostname="+o.Hostname)
		} else {
			warn("--hostname")
		}
	}
	for _, opt := range o.InsecureOptions {
		flag := map[string]string{
			"capabilities": "--disable-capabilities-restriction",
			"paths":        "--disable-paths",
			"seccomp":      "--disable-seccomp",
		}[opt]
		switch {
		case flag == "":
		case version >= 3:
			args = append(args, flag)
		default:
			warn(flag)
		}
	}
	if len(o.DNS) > 0 || len(o.DNSSearch) > 0 || len(o.DNSOptions) > 0 {
		if version >= 4 {
			args = append(args, "--dns-conf-mode=resolv=stage0,hosts=default")
		} else {
			warn("--dns-conf-mode")
		}
	}
	return append(args, uuid)
}
