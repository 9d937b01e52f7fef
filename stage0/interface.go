package stage0

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

// RunOptions are the stage1 run flags.
type RunOptions struct {
	Net        string   // --net, e.g. default, host, none; "" means default
	Hostname   string   // --hostname
	DNS        []string // nameservers: stage0 writes resolv.conf for stage1
	DNSSearch  []string
	DNSOptions []string
	// HostsEntries are --hosts-entry values: IP=NAME, or "host" alone.
	HostsEntries []string
	Interactive  bool
	MDSToken     string
	LocalConfig  string
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
	if mode := dnsConfMode(o); mode != "" {
		if version >= 4 {
			args = append(args, "--dns-conf-mode="+mode)
		} else {
			warn("--dns-conf-mode")
		}
	}
	return append(args, uuid)
}
