package git

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// TempWorktree checks rev out into a new temporary folder beside nothing
// else, for reading or running an older commit without touching the work
// tree. remove deletes it, even after ctx is cancelled.
func (r Repo) TempWorktree(ctx context.Context, rev string) (dir string, remove func() error,
	err error) {
	dir, err = os.MkdirTemp("", "mlci-worktree-")
	if err != nil {
		return "", nil, fmt.Errorf("making a worktree for %s: %w", rev, err)
	}
	if _, err := r.Run(ctx, "worktree", "add", "--detach", dir, rev); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	remove = func() error {
		_, err := r.Run(context.WithoutCancel(ctx), "worktree", "remove", "--force", dir)
		os.RemoveAll(dir)
		return err
	}
	return dir, remove, nil
}

// Prefix returns where r.Dir lies inside its work tree ("ml/" for a project
// in a subfolder, "" at the top), so that the same place can be found in
// another worktree.
func (r Repo) Prefix(ctx context.Context) (string, error) {
	out, err := r.Run(ctx, "rev-parse", "--show-prefix")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}
