package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/saturnpod/saturn/store"
	"github.com/spf13/cobra"
)

func newImageRmCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "rm IMAGE...",
		Short: "Remove images, and the trees rendered from them that no pod uses",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := openStore(g)
			if err != nil {
				return err
			}
			inUse := treesInUse(g.dir)
			var errs []error
			for _, ref := range args {
				id, err := s.Resolve(ref)
				if err == nil {
					err = s.Remove(id, inUse)
				}
				if err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Fprintln(cmd.OutOrStdout(), id)
			}
			return errors.Join(errs...)
		},
	}
}

func newImageGCCmd(g *globalOptions) *cobra.Command {
	var grace time.Duration
	cmd := &cobra.Command{
		Use:   "gc",
		Short: "Remove images not used within the grace period and trees no pod uses",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := openStore(g)
			if err != nil {
				return err
			}
			res, err := s.GC(grace, treesInUse(g.dir))
			printEach(cmd.OutOrStdout(), "removed image %s\n", res.Images)
			printEach(cmd.OutOrStdout(), "removed tree %s\n", res.Trees)
			return err
		},
	}
	cmd.Flags().DurationVar(&grace, "grace-period", 24*time.Hour, "keep images and trees used within this duration")
	return cmd
}

// treesInUse reads which trees the pods under dataDir use: each pod dir
// records them in appsinfo/<app>/treeStoreID and stage1TreeStoreID.
func treesInUse(dataDir string) store.InUse {
	used := map[string]bool{}
	for _, pattern := range []string{"pods/*/*/appsinfo/*/treeStoreID", "pods/*/*/stage1TreeStoreID"} {
		files, _ := filepath.Glob(filepath.Join(dataDir, pattern))
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil {
				used[strings.TrimSpace(string(b))] = true
			}
		}
	}
	return func(treeID string) bool { return used[treeID] }
}
