package podcfg

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// RunFlags are the run entrypoint's flags (stage1 interface), parsed once by
// stage1 init and handed unchanged to the pod init.
type RunFlags struct {
	UUID                                      string
	Net                                       string
	Debug                                     bool
	Interactive                               bool
	Hostname                                  string
	DNS                                       DNSMode
	DisableCaps, DisablePaths, DisableSeccomp bool
	LocalConfig                               string
	// MDSToken is accepted for interface compatibility: saturn has no
	// metadata service to register with.
	MDSToken string
	// PrivateUsers is always empty: ParseRun refuses a user namespace
	// request, since no saturn stage1 builds one.
	PrivateUsers string
	// Args is the raw command line, passed on to the pod init.
	Args []string
}

// DNSMode says where /etc/resolv.conf and /etc/hosts of the apps come from.
type DNSMode struct {
	Resolv string // host (default), stage0, none
	Hosts  string // default (generate when missing), stage0, host
}

// ParseRun parses the run entrypoint's arguments (flags, then the UUID).
func ParseRun(args []string) (*RunFlags, error) {
	f := &RunFlags{Args: args}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.Net, "net", "none", "")
	fs.BoolVar(&f.Debug, "debug", false, "")
	fs.BoolVar(&f.Interactive, "interactive", false, "")
	fs.StringVar(&f.Hostname, "hostname", "", "")
	dns := fs.String("dns-conf-mode", "", "")
	fs.BoolVar(&f.DisableCaps, "disable-capabilities-restriction", false, "")
	fs.BoolVar(&f.DisablePaths, "disable-paths", false, "")
	fs.BoolVar(&f.DisableSeccomp, "disable-seccomp", false, "")
	fs.StringVar(&f.LocalConfig, "local-config", "", "")
	fs.StringVar(&f.MDSToken, "mds-token", "", "")
	fs.StringVar(&f.PrivateUsers, "private-users", "", "")
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("run flags: %w: %w", err, errdefs.ErrInvalid)
	}
	if fs.NArg() != 1 {
		return nil, fmt.Errorf("run wants the pod UUID last, got %q: %w", fs.Args(), errdefs.ErrInvalid)
	}
	f.UUID = fs.Arg(0)
	if f.PrivateUsers != "" {
		// Running the pod without the user namespace it asked for would
		// give its root the host's root; refuse instead.
		return nil, fmt.Errorf("--private-users=%s: user namespaces are not supported by this stage1: %w", f.PrivateUsers, errdefs.ErrInvalid)
	}
	var err error
	if f.DNS, err = parseDNS(*dns); err != nil {
		return nil, err
	}
	if f.Hostname == "" {
		f.Hostname = DefaultHostname(f.UUID)
	}
	return f, nil
}

// DefaultHostname is saturn- and the UUID's first 8 hex digits.
func DefaultHostname(uuid string) string {
	short := strings.ReplaceAll(uuid, "-", "")
	if len(short) > 8 {
		short = short[:8]
	}
	return "saturn-" + short
}

// parseDNS reads --dns-conf-mode=resolv=X,hosts=Y as rkt did.
func parseDNS(s string) (DNSMode, error) {
	m := DNSMode{Resolv: "host", Hosts: "default"}
	for _, kv := range strings.Split(s, ",") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case k == "resolv" && (v == "host" || v == "stage0" || v == "none" || v == "default"):
			if v == "default" {
				v = "host"
			}
			m.Resolv = v
		case k == "hosts" && (v == "default" || v == "stage0" || v == "host"):
			m.Hosts = v
		default:
			return m, fmt.Errorf("--dns-conf-mode %q: %w", kv, errdefs.ErrInvalid)
		}
	}
	return m, nil
}

// Logger is stage1's debug log on stderr: silent unless --debug.
func (f *RunFlags) Logger(role string) *slog.Logger {
	level := slog.LevelWarn
	if f.Debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})).With("stage1", role)
}
