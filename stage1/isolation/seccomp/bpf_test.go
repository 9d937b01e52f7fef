package seccomp

import (
	"encoding/binary"
	"runtime"
	"slices"
	"testing"

	"github.com/elastic/go-seccomp-bpf/arch"
	"golang.org/x/sys/unix"
)

// run interprets p for one syscall, as the kernel would, on the subset of
// classic BPF that Compile emits. It fails the test on anything else.
func run(t *testing.T, p Program, auditArch uint32, nr uint32, arg0 uint64) uint32 {
	t.Helper()
	var data [64]byte
	binary.LittleEndian.PutUint32(data[offNr:], nr)
	binary.LittleEndian.PutUint32(data[offArch:], auditArch)
	binary.LittleEndian.PutUint64(data[offArg0:], arg0)
	var a uint32
	for pc := 0; pc < len(p); pc++ {
		in := p[pc]
		switch in.Code {
		case unix.BPF_LD | unix.BPF_W | unix.BPF_ABS:
			a = binary.LittleEndian.Uint32(data[in.K:])
		case unix.BPF_JMP | unix.BPF_JA:
			pc += int(in.K)
		case unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K,
			unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K:
			var cond bool
			switch in.Code &^ (unix.BPF_JMP | unix.BPF_K) {
			case unix.BPF_JEQ:
				cond = a == in.K
			case unix.BPF_JGE:
				cond = a >= in.K
			default:
				cond = a&in.K != 0
			}
			if cond {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case unix.BPF_RET | unix.BPF_K:
			return in.K
		default:
			t.Fatalf("instruction %d: unexpected code %#x", pc, in.Code)
		}
	}
	t.Fatal("program ran off its end")
	return 0
}

const (
	retAllow = unix.SECCOMP_RET_ALLOW
	retKill  = unix.SECCOMP_RET_KILL_PROCESS
	retEPERM = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
)

func nr(t *testing.T, info *abi, name string) uint32 {
	t.Helper()
	n, ok := info.lookup(name)
	if !ok {
		t.Fatalf("%s has no %s", info.name, name)
	}
	return n
}

func TestDefaultFilterDecisions(t *testing.T) {
	infos, err := abis()
	if err != nil {
		t.Skip(err)
	}
	p, err := Compile(Default())
	if err != nil {
		t.Fatal(err)
	}
	// Every ABI handled gets the same decisions by name.
	for _, info := range infos {
		id := info.audit
		for _, c := range []struct {
			name string
			arg0 uint64
			want uint32
		}{
			{"mount", 0, retEPERM},
			{"kexec_load", 0, retEPERM},
			{"init_module", 0, retEPERM},
			{"reboot", 0, retEPERM},
			{"bpf", 0, retEPERM},
			{"unshare", 0, retEPERM},
			{"getpid", 0, retAllow},
			{"read", 0, retAllow},
			{"ptrace", 0, retAllow},
			{"clone", uint64(unix.SIGCHLD), retAllow},
			{"clone", unix.CLONE_NEWUSER | uint64(unix.SIGCHLD), retEPERM},
			{"clone", unix.CLONE_NEWNET, retEPERM},
			{"clone3", 0, unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)},
		} {
			if got := run(t, p, id, nr(t, info, c.name), c.arg0); got != c.want {
				t.Errorf("%s %s(%#x): got %#x, want %#x", info.name, c.name, c.arg0, got, c.want)
			}
		}
	}
	// An ABI the filter does not know is killed, whatever the call.
	if got := run(t, p, 0x12345678, 39, 0); got != retKill {
		t.Errorf("foreign ABI: got %#x, want kill", got)
	}
	if infos[0] == &abiX86_64 {
		if got := run(t, p, abiX86_64.audit, x32Bit|39, 0); got != unix.SECCOMP_RET_ERRNO|uint32(unix.ENOSYS) {
			t.Errorf("x32 ABI: got %#x, want ENOSYS", got)
		}
	}
}

func TestRetainSetDecisions(t *testing.T) {
	infos, err := abis()
	if err != nil {
		t.Skip(err)
	}
	// A large allowlist: the compat block sits beyond an 8-bit jump.
	s := Spec{Mode: ModeRetain, Syscalls: []string{GroupDefaultAllowlist, "umount2"}, Errno: "ENOSYS"}
	p, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	enosys := unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
	for _, info := range infos {
		id := info.audit
		for name, want := range map[string]uint32{
			"umount2": retAllow, "getpid": retAllow, "execve": retAllow,
			"mount": enosys, "kexec_load": enosys,
		} {
			if got := run(t, p, id, nr(t, info, name), 0); got != want {
				t.Errorf("%s %s: got %#x, want %#x", info.name, name, got, want)
			}
		}
	}
	// Kill when no errno is given; execve stays allowed in retain mode.
	p, err = Compile(Spec{Mode: ModeRetain, Syscalls: []string{"getpid"}})
	if err != nil {
		t.Fatal(err)
	}
	info := infos[0]
	for name, want := range map[string]uint32{"getpid": retAllow, "execve": retAllow, "read": retKill} {
		if got := run(t, p, info.audit, nr(t, info, name), 0); got != want {
			t.Errorf("%s: got %#x, want %#x", name, got, want)
		}
	}
}

func TestRemoveSetOnlyBlocksWhatItNames(t *testing.T) {
	infos, err := abis()
	if err != nil {
		t.Skip(err)
	}
	p, err := Compile(Spec{Mode: ModeRemove, Syscalls: []string{"socket"}, Errno: "ENOTSUP"})
	if err != nil {
		t.Fatal(err)
	}
	info := infos[0]
	if got := run(t, p, info.audit, nr(t, info, "socket"), 0); got != unix.SECCOMP_RET_ERRNO|uint32(unix.ENOTSUP) {
		t.Errorf("socket: got %#x", got)
	}
	// No default blocklist here: mount and namespace clones go through.
	for _, c := range []struct {
		name string
		arg0 uint64
	}{{"mount", 0}, {"clone", unix.CLONE_NEWUSER}, {"clone3", 0}} {
		if got := run(t, p, info.audit, nr(t, info, c.name), c.arg0); got != retAllow {
			t.Errorf("%s: got %#x, want allow", c.name, got)
		}
	}
}

// Every number of every ABI, not just the names above, gets the decision
// of plain set membership: the binary search (search) and the clone checks
// before it lose no number and catch no other, whatever the set's size.
func TestEveryNumberDecided(t *testing.T) {
	infos, err := abis()
	if err != nil {
		t.Skip(err)
	}
	enosys := unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
	for _, s := range []Spec{
		Default(),
		{Mode: ModeRemove, Syscalls: []string{"socket"}, Errno: "ENOTSUP"},
		{Mode: ModeRemove, Syscalls: []string{GroupDefaultBlocklist, "clone3", "socket"}, Errno: "EPERM"},
		{Mode: ModeRetain, Syscalls: []string{GroupDefaultAllowlist}, Errno: "ENOSYS"},
		{Mode: ModeRetain, Syscalls: []string{GroupAll}, Errno: "EPERM"},
		{Mode: ModeRetain, Syscalls: []string{"getpid", "read", "write"}},
	} {
		p, err := Compile(s)
		if err != nil {
			t.Fatal(err)
		}
		match, other := uint32(retAllow), uint32(retAllow)
		if s.Errno == "" {
			match = retKill
		} else {
			errno, _ := errnoValue(s.Errno)
			match = unix.SECCOMP_RET_ERRNO | uint32(errno)
		}
		if s.Mode == ModeRetain {
			match, other = other, match
		}
		catchClone := slices.Contains(s.Syscalls, GroupDefaultBlocklist)
		for _, info := range infos {
			nums, _ := resolve(info, expand(s), map[string]bool{})
			clone, _ := info.lookup("clone")
			clone3, _ := info.lookup("clone3")
			for n := uint32(0); n < 1024; n++ {
				for _, arg0 := range []uint64{uint64(unix.SIGCHLD), unix.CLONE_NEWNS} {
					want := other
					switch {
					case slices.Contains(nums, n):
						want = match
					case catchClone && n == clone3:
						want = enosys
					case catchClone && n == clone && arg0&namespaceFlags != 0:
						want = match
					}
					if got := run(t, p, info.audit, n, arg0); got != want {
						t.Fatalf("%v %s: syscall %d (arg0 %#x): got %#x, want %#x", s.Syscalls, info.name, n, arg0, got, want)
					}
				}
			}
		}
	}
}

// The generated tables must say what their source says, name for name.
func TestTablesMatchSource(t *testing.T) {
	for _, c := range []struct {
		ours *abi
		src  *arch.Info
	}{{&abiX86_64, arch.X86_64}, {&abiI386, arch.I386}, {&abiAARCH64, arch.AARCH64}, {&abiARM, arch.ARM}} {
		if c.ours.audit != uint32(c.src.ID) || len(c.ours.names) != len(c.src.SyscallNames) {
			t.Errorf("%s: audit %#x, %d names; source %#x, %d", c.ours.name, c.ours.audit,
				len(c.ours.names), uint32(c.src.ID), len(c.src.SyscallNames))
		}
		for name, n := range c.src.SyscallNames {
			if got, ok := c.ours.lookup(name); !ok || got != uint32(n) {
				t.Errorf("%s %s: %d, %v; source %d", c.ours.name, name, got, ok, n)
			}
		}
	}
}

// BenchmarkCompileDefault is the filter's share of an app's start.
func BenchmarkCompileDefault(b *testing.B) {
	for range b.N {
		if _, err := Compile(Default()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadDefault is the kernel's share: each load runs the filter
// once per syscall number of each ABI (its cache of always-allowed calls).
// Each load is on a thread of its own, which dies with its goroutine.
func BenchmarkLoadDefault(b *testing.B) {
	p, err := Compile(Default())
	if err != nil {
		b.Fatal(err)
	}
	errc := make(chan error)
	for range b.N {
		go func() {
			runtime.LockOSThread() // never unlocked: the filtered thread exits
			errc <- Load(p)
		}()
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
	}
}
