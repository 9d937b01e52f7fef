package main

import (
	"github.com/spf13/cobra"
)

func newEnterCmd(g *globalOptions) *cobra.Command {
	var pa podArgs
	var app string
	cmd := &cobra.Command{
		Use:   "enter [--app=NAME] UUID [CMD [ARGS...]]",
		Short: "Run a command (default /bin/sh) in an app of a running pod",
		RunE: func(cmd *cobra.Command, args []string) error {
			var ref string
			if pa.uuidFile != "" {
				refs, err := podRefs(nil, pa.uuidFile)
				if err != nil {
					return err
				}
				ref = refs[0]
			} else if len(args) > 0 {
				ref, args = args[0], args[1:]
			} else {
				return cmd.Usage()
			}
			r, err := g.stage0()
			if err != nil {
				return err
			}
			return r.Enter(ref, app, args)
		},
	}
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().StringVar(&app, "app", "", "the app to enter (needed when the pod has several)")
	pa.add(cmd.Flags())
	return cmd
}
