package platform

import (
	"slices"

	"github.com/mlci-dev/mlci/internal/git"
)

// PushAccess is a platform whose job checkout may not push with the
// credentials it was cloned with, as GitLab's job token may not; it says how
// mlci pushes instead.
type PushAccess interface {
	// PushAccess returns the URL to push to (and fetch from) and the
	// environment git needs to authenticate there, or ok false when the
	// checkout's own remote will do.
	PushAccess() (url string, env []string, ok bool)
}

// PushTarget returns the repository to run git in and the remote to push
// to for p: repo and remote themselves, unless p gives access of its own.
func PushTarget(p Platform, repo git.Repo, remote string) (git.Repo, string) {
	a, ok := p.(PushAccess)
	if !ok {
		return repo, remote
	}
	url, env, ok := a.PushAccess()
	if !ok {
		return repo, remote
	}
	repo.Env = append(slices.Clip(repo.Env), env...)
	return repo, url
}
