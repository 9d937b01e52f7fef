package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/saturnpod/saturn/stage0"
)

// addPodCommands registers the pod commands: run, prepare, run-prepared,
// status, list, cat-manifest, stop, rm, gc, enter, logs.
func addPodCommands(root *cobra.Command, g *globalOptions) {
	root.AddCommand(
		newRunCmd(g), newPrepareCmd(g), newRunPreparedCmd(g),
		newStatusCmd(g), newListCmd(g), newCatManifestCmd(g),
		newStopCmd(g), newRmCmd(g), newGCCmd(g), newEnterCmd(g),
		newLogsCmd(g),
	)
}

// stage0 opens the stage0 runtime on the --dir data dir.
func (g *globalOptions) stage0() (*stage0.Runtime, error) {
	return stage0.New(stage0.Config{DataDir: g.dir, Logger: g.logger(), Debug: g.debug})
}

// podArgs is --uuid-file, which the commands that name pods share.
type podArgs struct{ uuidFile string }

func (p *podArgs) add(fs *pflag.FlagSet) {
	fs.StringVar(&p.uuidFile, "uuid-file", "", "read the pod UUID from this file")
}

// open returns the pods a command acts on (see podRefs) and the stage0
// runtime.
func (p *podArgs) open(g *globalOptions, args []string) ([]string, *stage0.Runtime, error) {
	refs, err := podRefs(args, p.uuidFile)
	if err != nil {
		return nil, nil, err
	}
	r, err := g.stage0()
	if err != nil {
		return nil, nil, err
	}
	return refs, r, nil
}

// podRefs returns the pods a command acts on: its arguments, or the UUID
// in --uuid-file.
func podRefs(args []string, uuidFile string) ([]string, error) {
	if uuidFile == "" {
		if len(args) == 0 {
			return nil, fmt.Errorf("no pod UUID given (or use --uuid-file)")
		}
		return args, nil
	}
	if len(args) > 0 {
		return nil, fmt.Errorf("give pod UUIDs or --uuid-file, not both")
	}
	b, err := os.ReadFile(uuidFile)
	if err != nil {
		return nil, fmt.Errorf("--uuid-file: %w", err)
	}
	return []string{string(b)}, nil
}

// forEachPod runs fn on every pod named, reports each failure on its own
// line and fails at the end if any did: one bad pod never stops the rest.
func forEachPod(refs []string, fn func(ref string) error) error {
	failed := 0
	for _, ref := range refs {
		if err := fn(ref); err != nil {
			fmt.Fprintln(os.Stderr, "saturn:", oneLine(err.Error()))
			failed++
		}
	}
	if failed > 0 {
		return exitCodeError{code: exitRuntimeError}
	}
	return nil
}
