package store

import (
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// aheadCopy copies an uncompressed ACI file into the blob with
// copy_file_range (in the kernel; shared extents on filesystems that can)
// while the importer reads the blob behind the copy to hash and check it.
// Hashing the blob itself, not the source, means the stored bytes are the
// hashed bytes even if the source file changes during the import.
type aheadCopy struct {
	dst    *os.File
	pos    int64 // read position in dst
	mu     sync.Mutex
	cond   *sync.Cond
	copied int64
	done   bool
	err    error
	cancel atomic.Bool
}

const aheadChunk = 8 << 20

func startAheadCopy(src, dst *os.File, size int64) *aheadCopy {
	a := &aheadCopy{dst: dst}
	a.cond = sync.NewCond(&a.mu)
	go a.copyLoop(src, size)
	return a
}

func (a *aheadCopy) copyLoop(src *os.File, size int64) {
	var off int64
	var err error
	buf := []byte(nil)
	for off < size && !a.cancel.Load() {
		n := min(aheadChunk, size-off)
		var k int
		if buf == nil {
			soff, doff := off, off
			k, err = unix.CopyFileRange(int(src.Fd()), &soff, int(a.dst.Fd()), &doff, int(n), 0)
			if err == unix.EINTR {
				continue
			}
			if err != nil && off == 0 {
				// No copy_file_range here: copy through memory instead.
				buf, err = make([]byte, 1<<20), nil
				continue
			}
		} else {
			k, err = src.ReadAt(buf[:min(int64(len(buf)), n)], off)
			if k > 0 {
				if _, werr := a.dst.WriteAt(buf[:k], off); werr != nil {
					err = werr
				} else if err == io.EOF {
					err = nil
				}
			}
		}
		if err == nil && k == 0 {
			err = io.ErrUnexpectedEOF // the source shrank
		}
		if err != nil {
			break
		}
		off += int64(k)
		a.mu.Lock()
		a.copied = off
		a.cond.Broadcast()
		a.mu.Unlock()
	}
	a.mu.Lock()
	a.done, a.err = true, err
	a.cond.Broadcast()
	a.mu.Unlock()
}

// Read reads the blob, waiting for the copy to get ahead of it.
func (a *aheadCopy) Read(p []byte) (int, error) {
	a.mu.Lock()
	for a.copied <= a.pos && !a.done {
		a.cond.Wait()
	}
	avail, done, err := a.copied-a.pos, a.done, a.err
	a.mu.Unlock()
	if avail <= 0 {
		if done && err != nil {
			return 0, err
		}
		return 0, io.EOF
	}
	n, rerr := a.dst.ReadAt(p[:min(int64(len(p)), avail)], a.pos)
	a.pos += int64(n)
	if errors.Is(rerr, io.EOF) && n > 0 {
		rerr = nil
	}
	return n, rerr
}

// wait stops the copy if it is still running (the importer stops reading
// early on a refused archive) and returns its error.
func (a *aheadCopy) wait() error {
	a.cancel.Store(true)
	a.mu.Lock()
	defer a.mu.Unlock()
	for !a.done {
		a.cond.Wait()
	}
	return a.err
}
