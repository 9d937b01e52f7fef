// Command saturn is the CLI of saturn, a daemonless pod-native container
// launcher. It only parses flags and formats output; the work is done by the
// stage0 and store libraries.
package main

import (
	"errors"
	"fmt"
	"os"
)

// exitRuntimeError is the exit code of every runtime error, as in rkt.
const exitRuntimeError = 254

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	root := newRootCmd()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ec exitCodeError
	if errors.As(err, &ec) {
		if ec.msg != "" {
			fmt.Fprintln(os.Stderr, "saturn:", ec.msg)
		}
		return ec.code
	}
	fmt.Fprintln(os.Stderr, "saturn:", oneLine(err.Error()))
	return exitRuntimeError
}
