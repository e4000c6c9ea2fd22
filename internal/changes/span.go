package changes

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/platform"
)

// ErrUnreachable means a shallow clone could not be deepened far enough to
// hold the merge base, and no platform API could list the files instead.
var ErrUnreachable = errors.New("merge base not reachable")

// span is the pair of commits to compare and how they were found.
type span struct {
	// base is the commit diffed from; "" when every file counts as added.
	base, head string
	mergeBase  bool
	source     string
	// api holds the files the platform listed when git could not diff.
	api []platform.ChangedFile
	// contents is the commit to read base-side files from ("" for none).
	contents string
}

// detector holds one Detect call's state.
type detector struct {
	opts    Options
	repo    git.Repo
	cfg     *config.Config
	log     *slog.Logger
	remote  string
	classes *Classifier

	// batch reads file contents; it starts while git diffs (batchDone
	// closes when it has), as most changes need a file or two read.
	batch     *git.Batch
	batchErr  error
	batchDone chan struct{}
	// shallow is the clone's state once asked, nil before.
	shallow *bool

	// Filled while collecting, read when mapping stages.
	paramKeys   map[string][]string // params file → changed keys
	wholeParams map[string]bool     // params files changed without key detail
	definitions map[string]string   // stage → why its definition changed
}

func newDetector(opts Options) (*detector, error) {
	d := &detector{opts: opts, repo: opts.Repo, cfg: opts.Config, log: opts.Log,
		remote: opts.Remote}
	if d.cfg == nil {
		d.cfg = &config.Config{}
	}
	if d.log == nil {
		d.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if d.remote == "" {
		d.remote = "origin"
	}
	if d.opts.MaxDeepen == 0 {
		d.opts.MaxDeepen = 6
	}
	var err error
	d.classes, err = NewClassifier(d.cfg.Changes)
	d.paramKeys = map[string][]string{}
	d.wholeParams = map[string]bool{}
	d.definitions = map[string]string{}
	return d, err
}

// startBatch starts the cat-file process in the background.
func (d *detector) startBatch(ctx context.Context) {
	d.batchDone = make(chan struct{})
	go func() {
		defer close(d.batchDone)
		d.batch, d.batchErr = d.repo.NewBatch(ctx)
	}()
}

func (d *detector) close() {
	if d.batchDone == nil {
		return
	}
	<-d.batchDone
	if d.batch != nil {
		_ = d.batch.Close()
	}
}

type baseMode int

const (
	// viaMergeBase diffs from the merge base of base and head, as a pull
	// request shows its changes.
	viaMergeBase baseMode = iota
	// direct diffs from base itself, as a push from its before commit.
	direct
	// newBranch diffs a pushed new branch from its merge base with the
	// default branch, or lists every file when there is none.
	newBranch
)

// resolve finds the commits to compare.
func (d *detector) resolve(ctx context.Context) (span, error) {
	rev, mode, err := d.baseRev(ctx)
	if err != nil {
		return span{}, err
	}
	headRev := d.headRev()
	quick := d.quickMergeBase(ctx, rev, headRev, mode)
	head, base, baseErr := d.commits(ctx, headRev, rev)
	if head == "" {
		return span{}, baseErr
	}

	switch {
	case baseErr != nil:
		return d.fromAPI(ctx, head, "", baseErr)
	case mode == direct:
		return span{base: base, head: head, source: "git", contents: base}, nil
	case base == "":
		d.log.Info("no default branch to compare the new branch with; every file counts as added")
		return span{head: head, source: "none (new branch)"}, nil
	}
	if mb := <-quick; mb != "" {
		return span{base: mb, head: head, mergeBase: true, source: "git", contents: mb}, nil
	}
	return d.fromMergeBase(ctx, base, head)
}

// quickMergeBase asks git for the merge base while the revisions are being
// resolved, as it nearly always exists; it sends "" when it does not, and
// fromMergeBase then finds out why.
func (d *detector) quickMergeBase(ctx context.Context, rev, headRev string,
	mode baseMode) <-chan string {
	quick := make(chan string, 1)
	if mode == direct || rev == "" {
		quick <- ""
		return quick
	}
	go func() {
		mb, _ := d.repo.MergeBase(ctx, rev, headRev)
		quick <- mb
	}()
	return quick
}

// commits resolves the head and base revisions (baseRev may be empty), in
// one git call when the clone has both. On failure head is "" when the
// head is at fault, and the error says what is wrong.
func (d *detector) commits(ctx context.Context, headRev, baseRev string) (string, string, error) {
	if baseRev != "" {
		if shas, err := d.repo.RevParseAll(ctx, headRev, baseRev); err == nil {
			return shas[0], shas[1], nil
		}
	}
	head, err := d.commit(ctx, headRev, "head")
	if err != nil || baseRev == "" {
		return head, "", err
	}
	base, err := d.commit(ctx, baseRev, "base")
	return head, base, err
}

func (d *detector) headRev() string {
	switch {
	case d.opts.Head != "":
		return d.opts.Head
	case d.opts.Event != nil && d.opts.Event.Head != "":
		return d.opts.Event.Head
	default:
		return "HEAD"
	}
}

// baseRev returns the revision to compare with and how. The command line
// wins, then the CI event, then the default branch.
func (d *detector) baseRev(ctx context.Context) (string, baseMode, error) {
	if d.opts.Base != "" {
		return d.opts.Base, viaMergeBase, nil
	}
	ev := d.opts.Event
	if ev != nil {
		switch {
		case ev.Kind == platform.Push && !git.IsZeroSHA(ev.Base):
			return ev.Base, direct, nil
		case ev.Kind == platform.Push:
			return d.newBranchBase(ctx, ev)
		case !git.IsZeroSHA(ev.Base):
			return ev.Base, viaMergeBase, nil
		case ev.BaseRef != "":
			return d.branchRev(ctx, ev.BaseRef), viaMergeBase, nil
		}
	}
	name, err := d.defaultBranch(ctx)
	if err != nil {
		return "", 0, exit.Usagef("no --base given and %v (origin/HEAD, main or master) "+
			"to compare with; pass --base REF", err)
	}
	return d.branchRev(ctx, name), viaMergeBase, nil
}

// newBranchBase is the base of a push that created a branch: the default
// branch, unless the push created the default branch itself.
func (d *detector) newBranchBase(ctx context.Context, ev *platform.Event) (string, baseMode,
	error) {
	name, err := d.defaultBranch(ctx)
	if err != nil || name == ev.HeadRef {
		return "", newBranch, nil
	}
	return d.branchRev(ctx, name), newBranch, nil
}

func (d *detector) defaultBranch(ctx context.Context) (string, error) {
	if ev := d.opts.Event; ev != nil && ev.DefaultBranch != "" {
		return ev.DefaultBranch, nil
	}
	return d.repo.DefaultBranch(ctx)
}

// branchRev prefers the remote-tracking branch, which is what CI fetched.
func (d *detector) branchRev(ctx context.Context, name string) string {
	if ref, err := d.repo.BranchRef(ctx, name); err == nil && ref != "" {
		return ref
	}
	return name
}

// commit resolves rev to a commit id, fetching it from the remote when the
// clone lacks it. side is "base" or "head", for messages.
func (d *detector) commit(ctx context.Context, rev, side string) (string, error) {
	sha, err := d.repo.RevParse(ctx, rev)
	if err == nil {
		return sha, nil
	}
	if !errors.Is(err, git.ErrUnknownRev) || !d.repo.HasRemote(ctx, d.remote) {
		return "", fmt.Errorf("%s: %w", side, err)
	}

	depth := 0
	if d.isShallow(ctx) {
		depth = 1
	}
	sha, ferr := d.repo.FetchHead(ctx, d.remote, rev, depth)
	switch {
	case ferr == nil:
		d.log.Info("fetched a commit the clone lacked", "side", side, "rev", rev)
		return sha, nil
	case errors.Is(ferr, git.ErrUnknownRev):
		return "", fmt.Errorf("%s: %w", side, ferr)
	default:
		return "", exit.Externalf("%s %s is not in the clone and cannot be fetched: %w",
			side, rev, ferr)
	}
}

func (d *detector) isShallow(ctx context.Context) bool {
	if d.shallow == nil {
		s, err := d.repo.IsShallow(ctx)
		d.shallow = &s
		if err != nil {
			d.log.Warn("cannot tell whether the clone is shallow", "err", err)
		}
	}
	return *d.shallow
}

// fromMergeBase compares head with its merge base with base, deepening a
// shallow clone until the merge base is in it.
func (d *detector) fromMergeBase(ctx context.Context, base, head string) (span, error) {
	mb, rounds, err := d.mergeBase(ctx, base, head)
	if err != nil {
		return d.fromAPI(ctx, head, base, err)
	}
	source := "git"
	if rounds > 0 {
		source = fmt.Sprintf("git after deepening %dx", rounds)
	}
	return span{base: mb, head: head, mergeBase: true, source: source, contents: mb}, nil
}

// mergeBase returns the merge base of base and head and how many times the
// clone was deepened to find it. Each deepening fetches twice as many
// commits as the last, from 16, at most opts.MaxDeepen times.
func (d *detector) mergeBase(ctx context.Context, base, head string) (string, int, error) {
	for round := 0; ; round++ {
		mb, err := d.repo.MergeBase(ctx, base, head)
		if err == nil || !errors.Is(err, git.ErrNoMergeBase) {
			return mb, round, err
		}
		s, err := d.repo.IsShallow(ctx)
		if err != nil {
			return "", round, err
		}
		if !s {
			return "", round, exit.Usagef("base %s and head %s have unrelated histories: "+
				"no merge base", short(base), short(head))
		}
		if round >= d.opts.MaxDeepen {
			return "", round, exit.With(exit.External, fmt.Errorf("%w: the shallow clone "+
				"lacks the merge base of %s and %s after deepening it %dx; fetch more "+
				"history (actions/checkout: fetch-depth: 0, GitLab: GIT_DEPTH: 0)",
				ErrUnreachable, short(base), short(head), round))
		}
		n := 16 << round
		d.log.Info("deepening the shallow clone to find the merge base", "commits", n)
		if err := d.repo.Deepen(ctx, d.remote, n, base, head); err != nil {
			return "", round, exit.With(exit.External, fmt.Errorf("%w: %w", ErrUnreachable, err))
		}
	}
}

// fromAPI lists the files through the platform when git could not get to
// the base (cause), if the platform can. base is the base commit when the
// clone has it, for reading base-side contents.
func (d *detector) fromAPI(ctx context.Context, head, base string, cause error) (span, error) {
	if exit.Code(cause) == exit.Usage || d.opts.Lister == nil || d.opts.Event == nil {
		return span{}, cause
	}
	d.log.Warn("git cannot reach the base; listing the changed files through the platform's API",
		"reason", cause)
	files, err := d.opts.Lister.ChangedFiles(ctx, d.opts.Event)
	if err != nil {
		return span{}, exit.Externalf(
			"%w; listing the changed files through the API failed too: %w", cause, err)
	}
	// TODO: base-side contents come from the base branch's tip, not the merge
	// base the API compared with, so a params key changed on the base branch
	// after the fork shows as changed here; git has no merge base to offer.
	return span{base: base, head: head, source: "api", api: files, contents: base}, nil
}
