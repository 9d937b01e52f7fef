package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newImageTreeCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "tree IMAGE",
		Short: "Render an image into the tree store (once) and print the tree ID and its rootfs path",
		Long: `Render an image with its dependencies into the tree store, as preparing a pod
does, unless it is there already, and print "TREE-ID ROOTFS-PATH". The tree is
shared and read-only: do not write into it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := openStore(g)
			if err != nil {
				return err
			}
			treeID, rootfs, err := s.RenderTree(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), treeID, rootfs)
			return nil
		},
	}
}
