package networking

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// NetInfo is one network of a pod as `status` and `list` show it;
// <pod dir>/net-info.json holds an array of them. Field names are stable and
// those rkt's net-info.json had keep rkt's meaning (netName, ifName, ip).
type NetInfo struct {
	Name      string `json:"netName"`
	Interface string `json:"ifName"`
	// IP is the first address, without prefix length; IPs has them all
	// in CIDR form.
	IP      string   `json:"ip,omitempty"`
	IPs     []string `json:"ips,omitempty"`
	Gateway string   `json:"gateway,omitempty"`
	MAC     string   `json:"mac,omitempty"`
	DNS     *DNS     `json:"dns,omitempty"`
}

// DNS is what a CNI result says about name resolution.
type DNS struct {
	Nameservers []string `json:"nameservers,omitempty"`
	Domain      string   `json:"domain,omitempty"`
	Search      []string `json:"search,omitempty"`
	Options     []string `json:"options,omitempty"`
}

func (d *DNS) empty() bool {
	return len(d.Nameservers) == 0 && d.Domain == "" && len(d.Search) == 0 && len(d.Options) == 0
}

// netInfo describes network name on interface ifName from its result.
func netInfo(name, ifName string, res *current.Result) NetInfo {
	ni := NetInfo{Name: name, Interface: ifName}
	if res == nil {
		return ni
	}
	for _, ip := range res.IPs {
		if ni.IP == "" {
			ni.IP = ip.Address.IP.String()
			if ip.Gateway != nil {
				ni.Gateway = ip.Gateway.String()
			}
		}
		ni.IPs = append(ni.IPs, ip.Address.String())
	}
	for _, itf := range res.Interfaces {
		if itf.Name == ifName && itf.Sandbox != "" {
			ni.MAC = itf.Mac
		}
	}
	d := DNS{res.DNS.Nameservers, res.DNS.Domain, res.DNS.Search, res.DNS.Options}
	if !d.empty() {
		ni.DNS = &d
	}
	return ni
}

// ReadInfo reads <podDir>/net-info.json. A pod without one (host or none
// networking, or a setup that never finished) is errdefs.ErrNotFound.
func ReadInfo(podDir string) ([]NetInfo, error) {
	path := filepath.Join(podDir, InfoFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, errdefs.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	var infos []NetInfo
	if err := json.Unmarshal(b, &infos); err != nil {
		return nil, fmt.Errorf("%s: %v: %w", path, err, errdefs.ErrInvalid)
	}
	return infos, nil
}

func writeInfo(podDir string, infos []NetInfo) error {
	b, err := json.MarshalIndent(infos, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(podDir, InfoFile), b)
}
