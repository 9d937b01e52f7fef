package networking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Teardown undoes what Setup recorded in podDir: the DEL of every network
// that was started (after a normal exit, a crash of stage1 at any point, a
// plugin failed half-way, or with the namespace mount gone), then the
// namespace mount. It is idempotent: a pod already torn down, or never set
// up, is nothing to do.
func Teardown(ctx context.Context, podDir string, pluginDirs []string) error {
	p, err := Load(podDir, pluginDirs)
	if errors.Is(err, errdefs.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return p.Teardown(ctx)
}

// Release is Teardown for a pod whose processes are gone (stage1 init once
// the pod init exited, gc): it gives the namespace up before the DELs, so
// that the kernel frees its links in the background rather than each
// plugin deleting its link and waiting for the kernel to let go of it (an
// RCU grace period, most of a ptp DEL). The plugins see a missing
// namespace, which the CNI spec makes them tolerate, as after a reboot.
func Release(ctx context.Context, podDir string, pluginDirs []string) error {
	p, err := Load(podDir, pluginDirs)
	if errors.Is(err, errdefs.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	p.Close()
	return p.Teardown(ctx)
}

// Teardown undoes the pod's networking, as the function Teardown does, and
// closes p.
func (p *Pod) Teardown(ctx context.Context) error {
	defer p.Close()
	if p.netns == nil && p.rec.NetnsPath != "" {
		// A mount point whose mount is gone is a plain file, which plugins
		// would refuse as a namespace; without it they see a missing one.
		if err := removeNetns(p.rec.NetnsPath, p.rec.HostMountNS); err != nil {
			return err
		}
	}
	var errs []error
	for i := len(p.rec.Nets) - 1; i >= 0; i-- {
		n := &p.rec.Nets[i]
		if n.Phase == phasePending {
			continue
		}
		errs = append(errs, p.delNet(ctx, n))
	}
	if err := errors.Join(errs...); err != nil {
		// Keep the namespace and the record: a later gc retries with both.
		return fmt.Errorf("networking: teardown of pod %s: %w", p.rec.ContainerID, err)
	}
	p.Close()
	if p.rec.NetnsPath != "" {
		if err := removeNetns(p.rec.NetnsPath, p.rec.HostMountNS); err != nil {
			return err
		}
	}
	err := os.Remove(filepath.Join(p.podDir, StateDir, recordFile))
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	return err
}

// delNet runs the DEL of every plugin of n's list, last first, each with
// the recorded prevResult. A DEL error of a plugin whose ADD never returned
// is logged, not returned: that plugin failed or never ran, and a failing
// plugin fails its DEL too, which would block gc forever.
func (p *Pod) delNet(ctx context.Context, n *netRecord) error {
	a, err := newAttachment(n, p.rec.ContainerID, p.netnsArg(), p.pluginDirs)
	if err != nil {
		return err
	}
	var errs []error
	for i := len(a.list.Plugins) - 1; i >= 0; i-- {
		err := a.del(ctx, i, n.Result)
		if err != nil && i >= n.Done {
			slog.Debug("networking: DEL of a plugin that did not finish ADD", "err", err)
			err = nil
		}
		errs = append(errs, err)
	}
	if p.netns == nil {
		// ptp and bridge find the addresses to unmasquerade in the
		// namespace; it is gone, the record has them.
		errs = append(errs, unmasquerade(a, n.Result))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	n.Phase = phasePending
	return writeRecord(p.podDir, p.rec)
}
