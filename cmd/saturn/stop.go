package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

func newStopCmd(g *globalOptions) *cobra.Command {
	var force bool
	var uuidFile string
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "stop [--force] UUID...",
		Short: "Stop running pods through their stage1",
		RunE: func(cmd *cobra.Command, args []string) error {
			refs, err := podRefs(args, uuidFile)
			if err != nil {
				return err
			}
			r, err := g.stage0()
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
	cmd.Flags().StringVar(&uuidFile, "uuid-file", "", "read the pod UUID from this file")
	cmd.Flags().DurationVar(&wait, "wait", 30*time.Second, "wait this long for the pod to exit (0: do not wait)")
	return cmd
}

func newRmCmd(g *globalOptions) *cobra.Command {
	var uuidFile string
	cmd := &cobra.Command{
		Use:   "rm UUID...",
		Short: "Remove pods that are not running",
		RunE: func(cmd *cobra.Command, args []string) error {
			refs, err := podRefs(args, uuidFile)
			if err != nil {
				return err
			}
			r, err := g.stage0()
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
	cmd.Flags().StringVar(&uuidFile, "uuid-file", "", "read the pod UUID from this file")
	return cmd
}
