// Package networking gives a pod its network: a network namespace of its
// own, attached to CNI networks by the standard CNI plugins, and undone
// without leaks by Teardown, whatever happened in between.
//
// stage1 init calls Setup and starts the pod init inside Pod's namespace
// (Pod.Start): from Options.OnNetns, as soon as the namespace exists, so
// that the pod init's start overlaps the plugins' work (the pod init then
// waits for stage1 init's word before it starts apps). stage1 init calls
// Release (Teardown, namespace first) when the pod exits, and stage1 gc
// calls it again.
// Networks are named by --net (ParseNetList): "default" (ptp, host-local
// IPAM in 172.16.28.0/24, a default route, IP masquerade, and portmap when
// ports are forwarded), "default-restricted" (ptp, host-local in
// 172.16.29.0/24, no default route, no masquerade: the pod reaches the
// host only; portmap too when ports are forwarded), "none"
// (loopback only) and the names of CNI networks in <local-config>/net.d/
// (.conf, .conflist or .json files, matched by their "name" field; a file
// there named "default" replaces the built-in one). "host" is stage1's
// business: the pod stays in the host's namespace and nothing is set up.
//
// # The namespace and where it lives
//
// Setup creates the namespace from Go (unshare on a locked thread, lo
// brought up with netlink) and keeps it open. It also bind-mounts it at
// /run/saturn/netns/<uuid> so that a process other than stage1 init (gc,
// an operator with nsenter) can reach it by path. stage0 execs stage1 init
// inside a private mount namespace, where a mount would die with the pod,
// so the bind mount is made from a thread that joined the mount namespace
// of PID 1 (Options.HostMountNS), like `ip netns add`, with the directory
// made a shared mount point so that unmounting it propagates to mount
// namespaces copied later. Where PID 1's namespace is out of reach (a
// sandbox that denies it), the mount is made in the caller's namespace and
// lives as long as the pod does. Teardown never relies on the mount: a
// vanished mount (reboot, pod exit in that fallback, an operator) means the
// namespace and its interfaces are gone, and the CNI DELs still run (the
// CNI spec makes plugins tolerate a missing namespace) to release IPAM
// leases and firewall rules; masquerade rules, which ptp and bridge only
// remove when they find the namespace, are removed here from the recorded
// addresses.
//
// CNI plugins run with CNI_NETNS=/proc/<pid>/fd/<fd> of the open namespace,
// a path that resolves in any mount namespace of this PID namespace. They
// are exec'd from the calling thread, which must be in the host's network
// namespace (Pod.Start puts its thread back there).
//
// # Masquerade
//
// "default" masquerades its subnet with one nftables rule (table ip saturn,
// comment "saturn: masquerade <subnet>"), added over netlink by the first
// Setup that needs it and left for the next pods, as a named network leaves
// its bridge; RemoveSubnetMasquerade removes it. ptp's own per-pod
// masquerade costs four `nft` execs at setup and more at teardown, over
// the 25 ms a pod's network may add to its start. Without nf_tables, ptp
// masquerades per pod after all.
//
// # Files in the pod dir
//
// net/state.json: the record Teardown works from, written (temp file and
// rename) before each step that changes the host: the container ID (the
// pod UUID), the namespace path, and per network its name, interface
// (eth0, eth1, ...), CNI_ARGS, capability arguments (port mappings), the
// exact configuration list used (generated or read from net.d, so a later
// edit of net.d does not change what is torn down), how many plugins of
// the list returned from ADD and the result of the last one, which is the
// prevResult every DEL gets. Teardown removes it once everything is undone,
// which makes a second Teardown a no-op.
//
// net-info.json: for `status` and `list` (rkt kept it there too), written
// once all networks are up and kept after teardown. A JSON array of
// NetInfo:
//
//	[{"netName":"default","ifName":"eth0","ip":"172.16.28.2",
//	  "ips":["172.16.28.2/24"],"gateway":"172.16.28.1","mac":"..",
//	  "dns":{"nameservers":[..],"domain":"..","search":[..],"options":[..]}}]
//
// The plugins' own state lives where their configurations say: the built-in
// networks keep host-local leases in /var/lib/saturn/cni/networks/<network>.
package networking
