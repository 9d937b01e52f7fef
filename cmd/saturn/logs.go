package main

import (
	"os"
	"os/signal"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/stage0"
)

func newLogsCmd(g *globalOptions) *cobra.Command {
	var pa podArgs
	var app string
	var follow bool
	var tail int
	cmd := &cobra.Command{
		Use:   "logs [flags] UUID",
		Short: "Print what a pod's apps wrote to stdout and stderr",
		Long: "Print what a pod's apps wrote to stdout and stderr, kept in the pod dir while it runs " +
			"and after it exited, until it is removed. Each app's stdout goes to stdout, its stderr " +
			"to stderr; with several apps each line starts with the app's name.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			refs, r, err := pa.open(g, args)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, unix.SIGTERM)
			defer stop()
			return r.Logs(ctx, refs[0], stage0.LogsOptions{
				App: app, Tail: tail, Follow: follow,
				Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr(),
			})
		},
	}
	pa.add(cmd.Flags())
	cmd.Flags().StringVar(&app, "app", "", "show only this app's output")
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new output until the pod exits")
	cmd.Flags().IntVar(&tail, "tail", -1, "show only the last N lines (-1: all)")
	return cmd
}
