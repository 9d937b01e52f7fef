package networking

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/containernetworking/cni/libcni"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// netConfig finds the configuration list of network name: a file in
// <local-config>/net.d whose "name" is name, else a built-in network.
// A single-plugin .conf comes back as a list of one.
func netConfig(name string, o Options) ([]byte, error) {
	dir := filepath.Join(o.LocalConfigDir, "net.d")
	b, err := netdConfig(dir, name)
	if err != nil || b != nil {
		return b, err
	}
	b, ok, err := builtinConfig(name, o)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("network %q: no configuration named so in %s: %w", name, dir, errdefs.ErrNotFound)
	}
	return b, nil
}

// netdConfig reads the file in dir that defines network name, in file name
// order (the first wins, as CNI runtimes do); nil if none does.
func netdConfig(dir, name string) ([]byte, error) {
	files, err := libcni.ConfFiles(dir, []string{".conf", ".conflist", ".json"})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		list, err := parseAny(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %v: %w", f, err, errdefs.ErrInvalid)
		}
		if list.Name == name {
			return list.Bytes, nil
		}
	}
	return nil, nil
}

// parseAny parses a configuration list, or a single plugin configuration
// (a .conf) turned into a list of one. Only inlined plugins count: the list
// is recorded as bytes, and teardown must not depend on other files.
func parseAny(b []byte) (*libcni.NetworkConfigList, error) {
	var probe struct {
		Plugins json.RawMessage `json:"plugins"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, err
	}
	if probe.Plugins == nil {
		conf, err := libcni.NetworkPluginConfFromBytes(b)
		if err != nil {
			return nil, err
		}
		return libcni.ConfListFromConf(conf)
	}
	list, err := libcni.NetworkConfFromBytes(b)
	if err == nil && len(list.Plugins) == 0 {
		err = fmt.Errorf("no plugins")
	}
	return list, err
}
