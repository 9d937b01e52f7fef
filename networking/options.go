package networking

import (
	"fmt"
	"net"
	"path/filepath"

	"github.com/containernetworking/cni/pkg/utils"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Defaults of Options.
const (
	DefaultLocalConfigDir   = "/etc/saturn"
	DefaultNetnsDir         = "/run/saturn/netns"
	DefaultHostMountNS      = "/proc/1/ns/mnt"
	DefaultIPAMDataDir      = "/var/lib/saturn/cni/networks"
	DefaultSubnet           = "172.16.28.0/24"
	DefaultRestrictedSubnet = "172.16.29.0/24"
)

// Options says what Setup sets up.
type Options struct {
	// PodDir is the pod directory; the record goes to PodDir/net.
	PodDir string
	// UUID is the pod UUID, the CNI container ID.
	UUID string
	// Nets are the networks, in interface order (eth0, eth1, ...).
	Nets []NetRequest
	// LocalConfigDir holds net.d/ (default /etc/saturn).
	LocalConfigDir string
	// PluginDirs are searched for CNI plugin binaries, in order.
	PluginDirs []string
	// Ports are forwarded from the host by the first network whose
	// configuration has a plugin with the portMappings capability.
	Ports []PortMapping

	// NetnsDir is where the namespace is bind-mounted (default
	// /run/saturn/netns), in the mount namespace HostMountNS (default
	// /proc/1/ns/mnt, the host's).
	NetnsDir, HostMountNS string
	// IPAMDataDir keeps the built-in networks' host-local leases.
	IPAMDataDir string
	// Subnets of the built-in networks "default" and "default-restricted".
	DefaultSubnet, RestrictedSubnet string

	// OnNetns, if set, runs once the namespace exists and is recorded,
	// before any plugin: stage1 starts the pod init in it there (Pod.Start),
	// so that the pod init's own start overlaps the plugins' work. An
	// error fails Setup, which then undoes everything.
	OnNetns func(*Pod) error `json:"-"`
}

// PortMapping forwards HostIP:HostPort (any host address if HostIP is
// empty) to ContainerPort of the pod, as the portmap plugin takes it.
type PortMapping struct {
	HostPort      int    `json:"hostPort"`
	ContainerPort int    `json:"containerPort"`
	Protocol      string `json:"protocol"`
	HostIP        string `json:"hostIP,omitempty"`
}

func (o Options) withDefaults() Options {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.LocalConfigDir, DefaultLocalConfigDir)
	def(&o.NetnsDir, DefaultNetnsDir)
	def(&o.HostMountNS, DefaultHostMountNS)
	def(&o.IPAMDataDir, DefaultIPAMDataDir)
	def(&o.DefaultSubnet, DefaultSubnet)
	def(&o.RestrictedSubnet, DefaultRestrictedSubnet)
	return o
}

func (o Options) validate() error {
	if o.PodDir == "" || !filepath.IsAbs(o.NetnsDir) {
		return fmt.Errorf("networking: pod dir and an absolute netns dir are required: %w", errdefs.ErrInvalid)
	}
	// The UUID names a file and goes into iptables comments: CNI's own
	// container ID rule keeps both safe.
	if err := utils.ValidateContainerID(o.UUID); err != nil {
		return fmt.Errorf("networking: pod UUID %q: %v: %w", o.UUID, err, errdefs.ErrInvalid)
	}
	for _, s := range []string{o.DefaultSubnet, o.RestrictedSubnet} {
		if _, _, err := net.ParseCIDR(s); err != nil {
			return fmt.Errorf("networking: subnet %q: %w", s, errdefs.ErrInvalid)
		}
	}
	for _, p := range o.Ports {
		if p.HostPort <= 0 || p.HostPort > 65535 || p.ContainerPort <= 0 || p.ContainerPort > 65535 {
			return fmt.Errorf("networking: port mapping %d->%d out of range: %w", p.HostPort, p.ContainerPort, errdefs.ErrInvalid)
		}
		if p.Protocol != "tcp" && p.Protocol != "udp" && p.Protocol != "sctp" {
			return fmt.Errorf("networking: port mapping protocol %q: %w", p.Protocol, errdefs.ErrInvalid)
		}
		if p.HostIP != "" && net.ParseIP(p.HostIP) == nil {
			return fmt.Errorf("networking: port mapping host IP %q: %w", p.HostIP, errdefs.ErrInvalid)
		}
	}
	return nil
}
