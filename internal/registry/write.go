package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git"
)

// maxAttempts bounds how often a write is decided again after the remote
// rejected it because another writer got there first.
const maxAttempts = 5

// testHookBeforeWrite, when set by a test, runs after a decision and
// before its tags are written, to let another writer in between.
var testHookBeforeWrite func(attempt int)

// newTag is a tag to write.
type newTag struct {
	name, commit, message string
	at                    time.Time
}

// decision is what one reading of the registry decided.
type decision struct {
	p *Promotion
	// tags are tags of model to write.
	model string
	tags  []newTag
	// refusal ends the write with nothing written.
	refusal error
}

// transact reads the registry, lets decide choose the tags to write,
// creates them and, with a remote, pushes them in one atomic push. When
// the remote rejects the push because another writer created a tag of
// that name first, the tags are deleted, the remote's tags fetched, and the
// decision made again on the new state (the next counter, or nothing left
// to do).
func transact(ctx context.Context, repo git.Repo, remote string,
	decide func(*Registry) (*decision, error)) (*Promotion, error) {
	for attempt := 1; ; attempt++ {
		reg, err := Read(ctx, repo)
		if err != nil {
			return nil, err
		}
		d, err := decide(reg)
		if err != nil {
			return nil, err
		}
		if d.refusal != nil || len(d.tags) == 0 {
			return d.p, d.refusal
		}

		at := tagTime(reg.Model(d.model), time.Now())
		for i := range d.tags {
			d.tags[i].at = at
		}
		if testHookBeforeWrite != nil {
			testHookBeforeWrite(attempt)
		}
		err = writeTags(ctx, repo, remote, d.tags)
		if err == nil {
			d.p.Pushed = remote != ""
			return d.p, nil
		}
		if !errors.Is(err, git.ErrRejected) {
			return nil, err
		}
		if attempt == maxAttempts {
			return nil, fmt.Errorf("writing to the registry: other writers won %d times "+
				"in a row; try again: %w", maxAttempts, err)
		}
		if err := repo.FetchTags(ctx, remote); err != nil {
			return nil, err
		}
	}
}

// tagTime returns the date of a new tag of m: now, or one second after m's
// latest tag when that is not earlier. Tag dates have whole seconds and
// GTO orders tags by date alone, so a new tag must come strictly later for
// GTO and mlci to read the history in the order it was written.
func tagTime(m *Model, now time.Time) time.Time {
	now = now.Truncate(time.Second)
	if m == nil || len(m.events) == 0 {
		return now
	}
	if last := m.events[len(m.events)-1].Time; !now.After(last) {
		return last.Add(time.Second)
	}
	return now
}

// writeTags creates tags and pushes them to remote when it is set. On any
// failure the tags created here are deleted again: nothing is half-written.
func writeTags(ctx context.Context, repo git.Repo, remote string, tags []newTag) error {
	var made []string
	undo := func() {
		for _, name := range made {
			_ = repo.DeleteTag(context.WithoutCancel(ctx), name)
		}
	}
	for _, t := range tags {
		if err := repo.CreateTagAt(ctx, t.name, t.commit, t.message, t.at); err != nil {
			undo()
			return err
		}
		made = append(made, t.name)
	}
	if remote == "" {
		return nil
	}
	if err := Push(ctx, repo, remote, made...); err != nil {
		undo()
		return err
	}
	return nil
}

// Push pushes registry tags to remote in one atomic push. A tag that exists
// on the remote with another object fails the push with an error matching
// git.ErrRejected: tags are never forced.
func Push(ctx context.Context, repo git.Repo, remote string, tags ...string) error {
	refs := make([]string, len(tags))
	for i, t := range tags {
		refs[i] = "refs/tags/" + t
	}
	return repo.PushAtomic(ctx, remote, refs...)
}

// checkWritable refuses to change a model whose tags GTO would misread.
func checkWritable(reg *Registry, model string) error {
	problems := reg.problems(model)
	if len(problems) == 0 {
		return nil
	}
	lines := make([]string, len(problems))
	for i, w := range problems {
		lines[i] = fmt.Sprintf("  %s: %s", w.Tag, w.Message)
	}
	return exit.Usagef("refusing to change the registry of %s until these tags are fixed or "+
		"deleted (git tag --delete TAG; git push origin :refs/tags/TAG):\n%s",
		model, strings.Join(lines, "\n"))
}

// registerTag decides the tag that registers version of model at commit.
func registerTag(reg *Registry, model, version, commit, msg string) (newTag, error) {
	if err := CheckModelName(model); err != nil {
		return newTag{}, exit.With(exit.Usage, err)
	}
	if err := CheckVersion(version); err != nil {
		return newTag{}, exit.With(exit.Usage, err)
	}
	if m := reg.Model(model); m != nil {
		if v := m.Version(version); v != nil && v.Registered {
			return newTag{}, exit.Usagef("%s %s is registered already, at commit %s",
				model, version, short(v.Commit))
		}
		if v := m.VersionAt(commit); v != nil {
			return newTag{}, exit.Usagef("commit %s is registered already as %s %s",
				short(commit), model, v.Version)
		}
	}
	name := tagName(ActionRegister, model, version, "", 0)
	if reg.HasTag(name) {
		return newTag{}, exit.Usagef("tag %s exists already", name)
	}
	if msg == "" {
		msg = fmt.Sprintf("Registering artifact %s version %s", model, version)
	}
	return newTag{name: name, commit: commit, message: msg}, nil
}

// assignTag decides the tag that assigns the version at commit to stage.
func assignTag(reg *Registry, action Action, model, stage, commit, msg string) (newTag, error) {
	if err := CheckModelName(model); err != nil {
		return newTag{}, exit.With(exit.Usage, err)
	}
	if err := CheckStageName(stage); err != nil {
		return newTag{}, exit.With(exit.Usage, err)
	}
	name := tagName(action, model, "", stage, reg.NextCounter(model))
	return newTag{name: name, commit: commit, message: msg}, nil
}

// Register registers version of model at commit with an annotated tag
// NAME@vX.Y.Z (a default message when message is "") and returns the tag.
// It writes locally only; Push sends the tag.
func Register(ctx context.Context, repo git.Repo, model, version, commit, message string) (
	string, error) {
	sha, err := repo.RevParse(ctx, commit)
	if err != nil {
		return "", err
	}
	return writeOne(ctx, repo, model, func(reg *Registry) (newTag, error) {
		return registerTag(reg, model, version, sha, message)
	})
}

// Assign assigns version of model to stage with a tag NAME#STAGE#N, N one
// more than the model's highest counter, and returns the tag. A version
// that holds the stage already is refused; one that is in the stage behind
// another gets a new assignment, which puts it in front (a rollback).
func Assign(ctx context.Context, repo git.Repo, model, stage, version, message string) (
	string, error) {
	return writeOne(ctx, repo, model, func(reg *Registry) (newTag, error) {
		m, v, err := existing(reg, model, version)
		if err != nil {
			return newTag{}, err
		}
		if m.Holder(stage) == v {
			return newTag{}, exit.Usagef("%s %s holds %s already", model, version, stage)
		}
		if message == "" {
			message = fmt.Sprintf("Assigning stage %s to artifact %s version %s",
				stage, model, version)
		}
		return assignTag(reg, ActionAssign, model, stage, v.Commit, message)
	})
}

// Unassign takes version of model out of stage with a tag NAME#STAGE!#N
// and returns the tag; the stage then holds the version assigned before,
// if any is still in it.
func Unassign(ctx context.Context, repo git.Repo, model, stage, version, message string) (
	string, error) {
	return writeOne(ctx, repo, model, func(reg *Registry) (newTag, error) {
		_, v, err := existing(reg, model, version)
		if err != nil {
			return newTag{}, err
		}
		if v.assignment(stage) == nil {
			return newTag{}, exit.Usagef("%s %s is not in %s", model, version, stage)
		}
		if message == "" {
			message = fmt.Sprintf("Unassigning stage '%s' to artifact '%s' version '%s'",
				stage, model, version)
		}
		return assignTag(reg, ActionUnassign, model, stage, v.Commit, message)
	})
}

// Deregister withdraws version of model with a tag NAME@vX.Y.Z! (with a
// counter when that name is taken) and returns the tag. A deregistered
// version holds no stage.
func Deregister(ctx context.Context, repo git.Repo, model, version, message string) (
	string, error) {
	return writeOne(ctx, repo, model, func(reg *Registry) (newTag, error) {
		_, v, err := existing(reg, model, version)
		if err != nil {
			return newTag{}, err
		}
		if message == "" {
			message = fmt.Sprintf("Deregistering artifact %s version %s", model, version)
		}
		return newTag{name: freeName(reg, ActionDeregister, model, version), commit: v.Commit,
			message: message}, nil
	})
}

// Deprecate retires model with a tag NAME@deprecated (with a counter when
// that name is taken) on the commit of its latest event, and returns the
// tag. GTO and mlci hide a deprecated model until it gets a new tag.
func Deprecate(ctx context.Context, repo git.Repo, model, message string) (string, error) {
	return writeOne(ctx, repo, model, func(reg *Registry) (newTag, error) {
		m := reg.Model(model)
		if m == nil || len(m.events) == 0 {
			return newTag{}, exit.With(exit.Usage, fmt.Errorf("%w %q in the registry",
				ErrUnknownModel, model))
		}
		if m.Deprecated {
			return newTag{}, exit.Usagef("%s is deprecated already", model)
		}
		if message == "" {
			message = fmt.Sprintf("Deprecating artifact '%s'", model)
		}
		return newTag{name: freeName(reg, ActionDeprecate, model, ""),
			commit: m.events[len(m.events)-1].Commit, message: message}, nil
	})
}

// writeOne decides and writes a single tag locally.
func writeOne(ctx context.Context, repo git.Repo, model string,
	decide func(*Registry) (newTag, error)) (string, error) {
	var name string
	_, err := transact(ctx, repo, "", func(reg *Registry) (*decision, error) {
		if err := checkWritable(reg, model); err != nil {
			return nil, err
		}
		t, err := decide(reg)
		if err != nil {
			return nil, err
		}
		name = t.name
		return &decision{p: &Promotion{}, model: model, tags: []newTag{t}}, nil
	})
	return name, err
}

// existing returns model and its active registered version.
func existing(reg *Registry, model, version string) (*Model, *Version, error) {
	m := reg.Model(model)
	if m == nil {
		return nil, nil, exit.With(exit.Usage, fmt.Errorf("%w %q in the registry",
			ErrUnknownModel, model))
	}
	v := m.Version(version)
	if v == nil || !v.Registered {
		return nil, nil, exit.With(exit.Usage, fmt.Errorf("%w: %s has no version %s "+
			"(its versions: %s)", ErrUnknownVersion, model, version, versionNames(m)))
	}
	if !v.Active {
		return nil, nil, exit.Usagef("%s %s was deregistered", model, version)
	}
	return m, v, nil
}

// freeName returns the simple tag name of a deregistration or deprecation,
// or the counted one when the simple name is taken.
func freeName(reg *Registry, action Action, model, version string) string {
	name := tagName(action, model, version, "", 0)
	if !reg.HasTag(name) {
		return name
	}
	return tagName(action, model, version, "", reg.NextCounter(model))
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
