package stage0

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// TEMPORARY profiling aid, removed before handing back.
func TT(name string) {
	t0, err := strconv.ParseInt(os.Getenv("SATURN_T0"), 10, 64)
	if err != nil {
		return
	}
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	fmt.Fprintf(os.Stderr, "TT %7.3f %s\n", float64(ts.Nano()-t0)/1e6, name)
}

func init() { TT("stage0 init") }
