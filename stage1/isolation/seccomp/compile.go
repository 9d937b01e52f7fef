package seccomp

import (
	"fmt"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Program is a compiled filter, ready for Load.
type Program []unix.SockFilter

// offsets into struct seccomp_data; args are little-endian on every ABI
// supported here, so an argument's low 32 bits sit at its offset.
const (
	offNr    = 0
	offArch  = 4
	offArg0  = 16
	x32Bit   = 0x40000000
	maxInsns = 4096 // BPF_MAXINSNS
)

// namespaceFlags are the clone flags that create namespaces; a clone with
// any of them is denied under the default blocklist, as docker does.
const namespaceFlags = unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC |
	unix.CLONE_NEWUSER | unix.CLONE_NEWPID | unix.CLONE_NEWNET | unix.CLONE_NEWCGROUP

// Compile turns s into a BPF program for this machine's ABIs.
func Compile(s Spec) (Program, error) {
	infos, err := abis()
	if err != nil {
		return nil, err
	}
	errno, err := errnoValue(s.Errno)
	if err != nil {
		return nil, err
	}
	deny := uint32(unix.SECCOMP_RET_KILL_PROCESS)
	if errno != 0 {
		deny = unix.SECCOMP_RET_ERRNO | uint32(errno)
	}
	match, other := deny, uint32(unix.SECCOMP_RET_ALLOW)
	if s.Mode == ModeRetain {
		match, other = other, deny
	}
	// Resolve names per ABI first, so an entry known to none is an error.
	nums := make([][]uint32, len(infos))
	known := map[string]bool{}
	entries := expand(s)
	for i, info := range infos {
		nums[i], known = resolve(info, entries, known)
	}
	for _, e := range entries {
		if !known[e] {
			return nil, fmt.Errorf("seccomp: unknown syscall or group %q: %w", e, errdefs.ErrInvalid)
		}
	}
	// The clone argument check belongs to the default blocklist only: a
	// remove-set naming syscalls by hand blocks just those.
	catchClone := s.Mode == ModeRemove && slices.ContainsFunc(s.Syscalls, func(e string) bool {
		return e == GroupDefaultBlocklist || aliases[e] == GroupDefaultBlocklist
	})

	var blocks []Program
	for i, info := range infos {
		blocks = append(blocks, abiBlock(info, nums[i], match, other, catchClone))
	}
	// Header: load the arch, then per ABI "jeq id; ja block" (ja takes a
	// 32-bit offset, so a large allowlist block is still reachable), then
	// kill for any other ABI, then the blocks.
	p := Program{stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, offArch)}
	skip := 0
	for i, info := range infos {
		// From the instruction after this ja: the remaining header pairs,
		// the kill, and the blocks before this ABI's.
		off := 2*(len(infos)-i-1) + 1 + skip
		p = append(p, jump(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, info.audit, 0, 1),
			stmt(unix.BPF_JMP|unix.BPF_JA, uint32(off)))
		skip += len(blocks[i])
	}
	p = append(p, stmt(unix.BPF_RET|unix.BPF_K, unix.SECCOMP_RET_KILL_PROCESS))
	for _, b := range blocks {
		p = append(p, b...)
	}
	if len(p) > maxInsns {
		return nil, fmt.Errorf("seccomp: filter of %d instructions: %w", len(p), errdefs.ErrInvalid)
	}
	return p, nil
}

// abiBlock decides on the syscall number: match for one in nums, other
// for any other. With catchClone, clone and clone3 are decided first (see
// cloneChecks); the rest is a binary search of nums (search).
func abiBlock(info *abi, nums []uint32, match, other uint32, catchClone bool) Program {
	var b Program
	b = append(b, stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, offNr))
	if info == &abiX86_64 {
		// The x32 ABI shares x86_64's audit arch with bit 30 set in the
		// number: refuse it whole rather than filter it twice.
		b = append(b, jump(unix.BPF_JMP|unix.BPF_JGE|unix.BPF_K, x32Bit, 0, 1),
			stmt(unix.BPF_RET|unix.BPF_K, unix.SECCOMP_RET_ERRNO|uint32(unix.ENOSYS)))
	}
	if catchClone {
		b = append(b, cloneChecks(info, nums, match, other)...)
	}
	return append(b, search(nums, match, other)...)
}

// searchLeaf is how many numbers a leaf of search compares one by one.
const searchLeaf = 8

// search returns match for a syscall number (in the accumulator) in the
// sorted nums, other for any other, in a few comparisons: a binary search
// down to leaves of searchLeaf numbers. A linear list of ~60 checks per
// ABI made every load of the default filter cost about 170 us, as the
// kernel runs the filter for every syscall number when it loads it (to
// cache which ones it always allows), and made every syscall of the app
// that the cache misses run through all of them.
//
// Each inner node is "jge pivot; ja right-half" over the left half: ja
// takes a 32-bit offset, so no half is ever beyond reach.
func search(nums []uint32, match, other uint32) Program {
	if len(nums) <= searchLeaf {
		var b Program
		for _, n := range nums {
			b = append(b, jump(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, n, 0, 1),
				stmt(unix.BPF_RET|unix.BPF_K, match))
		}
		return append(b, stmt(unix.BPF_RET|unix.BPF_K, other))
	}
	mid := len(nums) / 2
	left := search(nums[:mid], match, other)
	right := search(nums[mid:], match, other)
	b := Program{
		jump(unix.BPF_JMP|unix.BPF_JGE|unix.BPF_K, nums[mid], 0, 1),
		stmt(unix.BPF_JMP|unix.BPF_JA, uint32(len(left))),
	}
	return append(append(b, left...), right...)
}

// cloneChecks decides clone3 and clone, unless nums holds them: clone3
// gets ENOSYS (its flags live in memory BPF cannot read; libc then falls
// back to clone) and clone with a CLONE_NEW* flag is denied, any other
// clone allowed. Anything else goes on to the instruction after, with the
// syscall number still loaded: clone's first argument (the flags on
// x86_64, i386, arm and arm64) is loaded over it only for clone.
func cloneChecks(info *abi, nums []uint32, match, other uint32) Program {
	var b Program
	if nr, ok := info.lookup("clone3"); ok && !slices.Contains(nums, nr) {
		b = append(b, jump(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, nr, 0, 1),
			stmt(unix.BPF_RET|unix.BPF_K, unix.SECCOMP_RET_ERRNO|uint32(unix.ENOSYS)))
	}
	if nr, ok := info.lookup("clone"); ok && !slices.Contains(nums, nr) {
		b = append(b, jump(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, nr, 0, 4),
			stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, offArg0),
			jump(unix.BPF_JMP|unix.BPF_JSET|unix.BPF_K, namespaceFlags, 0, 1),
			stmt(unix.BPF_RET|unix.BPF_K, match),
			stmt(unix.BPF_RET|unix.BPF_K, other))
	}
	return b
}

// expand replaces group names by their syscalls, keeping order, dropping
// duplicates; in retain mode it adds retainAlways.
func expand(s Spec) []string {
	var out []string
	seen := map[string]bool{}
	add := func(names ...string) {
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	for _, e := range s.Syscalls {
		if a, ok := aliases[e]; ok {
			e = a
		}
		switch e {
		case GroupDefaultBlocklist:
			add(defaultBlocklist...)
		case GroupDefaultAllowlist:
			add(GroupDefaultAllowlist)
		case GroupAll:
			add(GroupAll)
		case GroupEmpty:
		default:
			add(e)
		}
	}
	if s.Mode == ModeRetain {
		add(retainAlways...)
	}
	return out
}

// resolve maps entries to this ABI's syscall numbers, sorted and unique,
// and marks in known the entries this ABI has. The whole-table groups are
// resolved here because each ABI has its own table.
func resolve(info *abi, entries []string, known map[string]bool) ([]uint32, map[string]bool) {
	var nums []uint32
	for _, e := range entries {
		switch e {
		case GroupAll, GroupDefaultAllowlist:
			known[e] = true
			for i, name := range info.names {
				if e == GroupAll || !slices.Contains(defaultBlocklist, name) {
					nums = append(nums, info.nums[i])
				}
			}
		default:
			if n, ok := info.lookup(e); ok {
				known[e] = true
				nums = append(nums, n)
			} else if slices.Contains(defaultBlocklist, e) || slices.Contains(retainAlways, e) {
				// Built-in names an ABI lacks (vm86 on x86_64) are fine.
				known[e] = true
			}
		}
	}
	slices.Sort(nums)
	return slices.Compact(nums), known
}

func stmt(code uint16, k uint32) unix.SockFilter { return unix.SockFilter{Code: code, K: k} }

func jump(code uint16, k uint32, jt, jf uint8) unix.SockFilter {
	return unix.SockFilter{Code: code, K: k, Jt: jt, Jf: jf}
}
