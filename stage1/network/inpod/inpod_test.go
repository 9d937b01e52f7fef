package inpod

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// Ready waits for stage1 init's byte; EOF (setup failed) is an error; a
// pod init started without the pipe does not wait.
func TestReadyWaits(t *testing.T) {
	for _, write := range []bool{true, false} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		// Ready closes the fd it is given: give it a copy of r's.
		fd, err := unix.Dup(int(r.Fd()))
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		t.Setenv(readyEnv, strconv.Itoa(fd))
		if write {
			w.Write([]byte{1})
		}
		w.Close()
		err = Ready()
		if (err == nil) != write {
			t.Errorf("written %v: %v", write, err)
		}
		if _, ok := os.LookupEnv(readyEnv); ok {
			t.Errorf("%s left in the environment", readyEnv)
		}
	}
	if err := Ready(); err != nil {
		t.Errorf("without the pipe: %v", err)
	}
}
