package git

import (
	"context"
	"fmt"
	"os"
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
