package registry

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git"
)

// StageRevision returns the version that stage holds for model as a git
// revision, its registration tag (churn@v1.4.0) or else its commit, for
// comparing a candidate with what is in production (--baseline
// production). A model that is not in the registry (ErrUnknownModel), or a
// stage that holds none of its versions (ErrEmptyStage), is a usage error
// that says what there is.
func StageRevision(ctx context.Context, repo git.Repo, model, stage string) (string, error) {
	reg, err := Read(ctx, repo)
	if err != nil {
		return "", err
	}

	m := reg.Model(model)
	if m == nil {
		var known []string
		for _, m := range reg.Models {
			known = append(known, m.Name)
		}
		return "", exit.Usagef("%w %q in the registry (%s)", ErrUnknownModel, model,
			listOr("models in it: ", known, "it holds no model"))
	}
	v := m.Holder(stage)
	if v == nil {
		held := slices.Sorted(maps.Keys(m.Stages))
		return "", exit.Usagef("%w %q of %s (%s)", ErrEmptyStage, stage, model,
			listOr("stages that hold one: ", held, "no stage holds one"))
	}
	if v.Tag != "" {
		return v.Tag, nil
	}
	return v.Commit, nil
}

// listOr returns the names after prefix, or none when there are none.
func listOr(prefix string, names []string, none string) string {
	if len(names) == 0 {
		return none
	}
	return prefix + strings.Join(names, ", ")
}
