package cgroups

import (
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Limits are an app's resource limits; a zero field sets nothing.
type Limits struct {
	// MemoryBytes is the memory limit. Swap is limited to nothing beyond
	// it, so an app over its limit is OOM-killed rather than swapped.
	MemoryBytes int64 `json:"memoryBytes,omitempty"`
	// CPUMillis is the CPU limit in millicores (1000 = one CPU), enforced as
	// a CFS quota over a 100ms period.
	CPUMillis int64 `json:"cpuMillis,omitempty"`
	// CPUShares is the relative CPU weight in v1 shares (2..262144, 1024 by
	// default); cgroup2 gets the equivalent cpu.weight.
	CPUShares uint64 `json:"cpuShares,omitempty"`
}

// cfsPeriod is the CFS period in microseconds; cfsMinQuota the kernel's
// smallest quota (1ms).
const (
	cfsPeriod   = 100000
	cfsMinQuota = 1000
)

// Validate checks each limit's range.
func (l Limits) Validate() error {
	switch {
	case l.MemoryBytes < 0:
		return fmt.Errorf("memory limit %d: %w", l.MemoryBytes, errdefs.ErrInvalid)
	case l.CPUMillis < 0:
		return fmt.Errorf("cpu limit %dm: %w", l.CPUMillis, errdefs.ErrInvalid)
	case l.CPUShares != 0 && (l.CPUShares < 2 || l.CPUShares > 262144):
		return fmt.Errorf("cpu shares %d out of [2, 262144]: %w", l.CPUShares, errdefs.ErrInvalid)
	}
	return nil
}

// quota converts millicores to a CFS quota over cfsPeriod, no lower than
// the kernel accepts.
func (l Limits) quota() int64 {
	return max(l.CPUMillis*cfsPeriod/1000, cfsMinQuota)
}

// CPUWeight maps v1 shares (2..262144) linearly onto cgroup2's cpu.weight
// (1..10000), as runc and crun do, so both report the same numbers.
func CPUWeight(shares uint64) uint64 {
	if shares == 0 {
		return 0
	}
	return 1 + ((shares-2)*9999)/262142
}

// writeV2 writes l into one cgroup2 directory.
func (l Limits) writeV2(dir string) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if l.MemoryBytes > 0 {
		if err := writeFile(dir, "memory.max", strconv.FormatInt(l.MemoryBytes, 10)); err != nil {
			return err
		}
		if err := writeIfExists(dir, "memory.swap.max", "0"); err != nil {
			return err
		}
	}
	if l.CPUMillis > 0 {
		if err := writeFile(dir, "cpu.max", fmt.Sprintf("%d %d", l.quota(), cfsPeriod)); err != nil {
			return err
		}
	}
	if l.CPUShares > 0 {
		return writeFile(dir, "cpu.weight", strconv.FormatUint(CPUWeight(l.CPUShares), 10))
	}
	return nil
}

// writeV1 writes l into the app's cgroups of the v1 memory and cpu
// hierarchies.
func (l Limits) writeV1(p *Pod, app string) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if l.MemoryBytes > 0 {
		d, ok := p.dir("memory")
		if !ok {
			return fmt.Errorf("cgroups: memory limit without a memory hierarchy: %w", errdefs.ErrNotFound)
		}
		d = filepath.Join(d, app)
		v := strconv.FormatInt(l.MemoryBytes, 10)
		// memory first: memsw may never be below it.
		if err := writeFile(d, "memory.limit_in_bytes", v); err != nil {
			return err
		}
		if err := writeIfExists(d, "memory.memsw.limit_in_bytes", v); err != nil {
			return err
		}
	}
	if l.CPUMillis == 0 && l.CPUShares == 0 {
		return nil
	}
	d, ok := p.dir("cpu")
	if !ok {
		return fmt.Errorf("cgroups: cpu limit without a cpu hierarchy: %w", errdefs.ErrNotFound)
	}
	d = filepath.Join(d, app)
	if l.CPUMillis > 0 {
		if err := writeFile(d, "cpu.cfs_period_us", strconv.Itoa(cfsPeriod)); err != nil {
			return err
		}
		if err := writeFile(d, "cpu.cfs_quota_us", strconv.FormatInt(l.quota(), 10)); err != nil {
			return err
		}
	}
	if l.CPUShares > 0 {
		return writeFile(d, "cpu.shares", strconv.FormatUint(l.CPUShares, 10))
	}
	return nil
}
