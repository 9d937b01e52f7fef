// Package multicall dispatches a multi-call binary (one binary under
// several names, as the stage1 entrypoints are) to the main its name picks.
package multicall

import (
	"fmt"
	"io"
	"path/filepath"
)

// Mains maps a name (argv[0]'s base name) to the main it runs, which takes
// the arguments and returns the exit status.
type Mains map[string]func(args []string) int

// Run runs the main argv[0] names with argv[1:] and returns its exit
// status. An unknown name is reported on stderr as prog: unknown entrypoint
// (want what), exit status 254.
func Run(prog, want string, mains Mains, argv []string, stderr io.Writer) int {
	if main, ok := mains[filepath.Base(argv[0])]; ok {
		return main(argv[1:])
	}
	fmt.Fprintf(stderr, "%s: unknown entrypoint %q (want %s)\n", prog, argv[0], want)
	return 254
}
