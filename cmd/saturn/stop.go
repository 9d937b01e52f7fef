package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

func newStopCmd(g *globalOptions) *cobra.Command {
	var force bool
	var pa podArgs
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "stop [--force] UUID...",
		Short: "Stop running pods through their stage1",
		RunE: func(cmd *cobra.Command, args []string) error {
			refs, r, err := pa.open(g, args)
			if err != nil {
				return err
			}
			return forEachPod(refs, func(ref string) error {
				if err := r.Stop(ref, force, wait); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), ref)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "kill the pod instead of stopping it cleanly")
	pa.add(cmd.Flags())
	cmd.Flags().DurationVar(&wait, "wait", 30*time.Second, "wait this long for the pod to exit (0: do not wait)")
	return cmd
}

func newRmCmd(g *globalOptions) *cobra.Command {
	var pa podArgs
	cmd := &cobra.Command{
		Use:   "rm UUID...",
		Short: "Remove pods that are not running",
		RunE: func(cmd *cobra.Command, args []string) error {
			refs, r, err := pa.open(g, args)
			if err != nil {
				return err
			}
			return forEachPod(refs, func(ref string) error {
				if err := r.Remove(ref); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%q\n", ref)
				return nil
			})
		},
	}
	pa.add(cmd.Flags())
	return cmd
}
