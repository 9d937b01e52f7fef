package networking

import (
	"fmt"
	"strings"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Names --net gives a meaning of its own.
const (
	NetDefault           = "default"
	NetDefaultRestricted = "default-restricted"
	NetHost              = "host"
	NetNone              = "none"
)

// NetRequest is one network of --net, with the CNI_ARGS given to it.
type NetRequest struct {
	Name string
	// Args are CNI_ARGS pairs, e.g. {"IP", "10.1.2.3"}.
	Args [][2]string
}

// ParseNetList parses --net: a comma-separated list of networks, each
// optionally followed by ":K=V;K=V" CNI arguments (rkt's syntax), as in
// "default", "host", "mynet:IP=10.1.2.3,other". An empty list is "default".
// "host" and "none" stand alone; no network may appear twice.
func ParseNetList(s string) ([]NetRequest, error) {
	if strings.TrimSpace(s) == "" {
		return []NetRequest{{Name: NetDefault}}, nil
	}
	var reqs []NetRequest
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		name, argStr, hasArgs := strings.Cut(strings.TrimSpace(item), ":")
		if name == "" {
			return nil, fmt.Errorf("--net=%s: empty network name: %w", s, errdefs.ErrInvalid)
		}
		if seen[name] {
			return nil, fmt.Errorf("--net=%s: network %q given twice: %w", s, name, errdefs.ErrInvalid)
		}
		seen[name] = true
		req := NetRequest{Name: name}
		if hasArgs {
			args, err := parseArgs(argStr)
			if err != nil {
				return nil, fmt.Errorf("--net=%s: %w", s, err)
			}
			req.Args = args
		}
		reqs = append(reqs, req)
	}
	for _, r := range reqs {
		if (r.Name == NetHost || r.Name == NetNone) && len(reqs) > 1 {
			return nil, fmt.Errorf("--net=%s: %q cannot be combined with other networks: %w", s, r.Name, errdefs.ErrInvalid)
		}
		if (r.Name == NetHost || r.Name == NetNone) && len(r.Args) > 0 {
			return nil, fmt.Errorf("--net=%s: %q takes no arguments: %w", s, r.Name, errdefs.ErrInvalid)
		}
	}
	return reqs, nil
}

func parseArgs(s string) ([][2]string, error) {
	var args [][2]string
	for _, kv := range strings.Split(s, ";") {
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		// CNI_ARGS is itself "K=V;K=V": no key may carry its separators.
		if !ok || k == "" || strings.ContainsAny(k+v, ";=") {
			return nil, fmt.Errorf("CNI argument %q is not KEY=VALUE: %w", kv, errdefs.ErrInvalid)
		}
		args = append(args, [2]string{k, v})
	}
	return args, nil
}
