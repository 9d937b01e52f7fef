package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/saturnpod/saturn/stage0"
)

func newGCCmd(g *globalOptions) *cobra.Command {
	var o stage0.GCOptions
	cmd := &cobra.Command{
		Use:   "gc",
		Short: "Remove exited pods, expired prepared pods and aborted prepares",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := g.stage0()
			if err != nil {
				return err
			}
			res, err := r.GC(o)
			if err != nil {
				return err
			}
			printEach(cmd.OutOrStdout(), "marked %s as garbage\n", res.Marked)
			printEach(cmd.OutOrStdout(), "removed %s\n", res.Removed)
			for _, f := range res.Failures {
				fmt.Fprintf(os.Stderr, "saturn: gc: pod %s: %s\n", f.UUID, oneLine(f.Err.Error()))
			}
			if len(res.Failures) > 0 {
				return exitCodeError{code: exitRuntimeError}
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&o.GracePeriod, "grace-period", 30*time.Minute, "keep exited pods this long after gc marked them")
	cmd.Flags().DurationVar(&o.ExpirePrepared, "expire-prepared", 24*time.Hour, "remove prepared pods not run for this long")
	cmd.Flags().BoolVar(&o.MarkOnly, "mark-only", false, "only mark pods as garbage, remove nothing")
	return cmd
}
