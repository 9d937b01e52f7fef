package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newFetchCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "fetch PATH...",
		Short: "Import ACI files (plain tar, gzip, bzip2 or xz) into the store and print their IDs",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := openStore(g)
			if err != nil {
				return err
			}
			for _, p := range args {
				id, err := s.ImportFile(p)
				if err != nil {
					return err
				}
				g.logger().Debug("fetched", "path", p, "id", id)
				fmt.Fprintln(cmd.OutOrStdout(), id)
			}
			return nil
		},
	}
}
