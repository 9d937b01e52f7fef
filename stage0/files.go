package stage0

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// writeNewFile creates path, which must not exist, with data. It is
// os.WriteFile for the files of a new pod dir, minus what the run path
// does not need: O_TRUNC (the file is new: O_EXCL says so) and the
// runtime poller's probing of every file it opens.
func writeNewFile(path string, data []byte, perm os.FileMode) error {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, uint32(perm.Perm()))
	if err != nil {
		return &os.PathError{Op: "create", Path: path, Err: err}
	}
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			unix.Close(fd)
			return &os.PathError{Op: "write", Path: path, Err: err}
		}
		data = data[n:]
	}
	if err := unix.Close(fd); err != nil {
		return &os.PathError{Op: "close", Path: path, Err: err}
	}
	return nil
}

// syncFile makes a file's data durable (fdatasync: its size and blocks,
// not its times).
func syncFile(path string) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	if err := unix.Fdatasync(fd); err != nil {
		return fmt.Errorf("fdatasync %s: %w", path, err)
	}
	return nil
}
