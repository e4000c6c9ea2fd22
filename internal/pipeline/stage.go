package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mlci-dev/mlci/internal/pipeline/cache"
	"github.com/mlci-dev/mlci/internal/pipeline/digest"
	"github.com/mlci-dev/mlci/internal/pipeline/lock"
	"github.com/mlci-dev/mlci/internal/pipeline/shell"
)

// stage brings one stage up to date: it skips it, restores its outputs from
// the run cache, or runs it.
func (r *runner) stage(ctx context.Context, n *node) StageResult {
	name := n.stage.Name
	if ctx.Err() != nil {
		return StageResult{Name: name, Result: Skipped, Reason: "interrupted"}
	}
	c, err := r.p.check(n, r.record(name), r.h)
	if err != nil {
		return r.failed(name, err.Error(), nil)
	}
	key := runKey(n, c)
	force := r.opts.Force && r.mayRun(n)

	switch {
	case n.stage.Frozen:
		return r.frozen(ctx, n, c)
	case len(c.missingDeps) > 0:
		return r.failed(name, "dependency "+c.missingDeps[0]+" does not exist", nil)
	case !force && c.state == UpToDate:
		res := StageResult{Name: name, Result: Skipped, Reason: "up to date"}
		if run, _ := r.p.cache.ReadRun(key); run != nil {
			res.SavedSeconds = run.Seconds
		}
		r.opts.Printer.Skipped(name, "up to date")
		return res
	}
	if !force && reusable(n) {
		if err := r.pullRun(ctx, key); err != nil {
			return r.failed(name, err.Error(), nil)
		}
		if res, ok := r.restore(n, c, key); ok {
			return res
		}
	}
	if !r.mayRun(n) {
		return r.restoreOnly(ctx, n, c, key)
	}
	return r.execute(ctx, n, c, key)
}

// reusable reports whether a stage's outputs may come from the run cache.
func reusable(n *node) bool {
	if n.stage.AlwaysChanged {
		return false
	}
	for _, o := range n.outs {
		if o.persist {
			return false
		}
	}
	return true
}

// frozen leaves a frozen stage alone, restoring its recorded outputs from
// the cache when they are missing.
func (r *runner) frozen(ctx context.Context, n *node, c *check) StageResult {
	name := n.stage.Name
	rec := r.record(name)
	if c.state != Missing || rec == nil {
		r.opts.Printer.Skipped(name, "frozen")
		return StageResult{Name: name, Result: Skipped, Reason: "frozen"}
	}
	if err := r.pullRecord(ctx, rec); err != nil {
		return r.failed(name, "frozen, and its outputs cannot be restored: "+err.Error(), nil)
	}
	res := r.restoreRecord(n, rec, "restoring the outputs of a frozen stage")
	if res.Result == Failed {
		res.Reason = "frozen, and its outputs cannot be restored: " + res.Reason
	}
	return res
}

// restoreRecord restores the outputs the stage's lock record names.
func (r *runner) restoreRecord(n *node, rec *lock.Stage, title string) StageResult {
	name := n.stage.Name
	outs := make([]cache.RunOut, len(rec.Outs))
	for i, e := range rec.Outs {
		outs[i] = cache.RunOut{Path: e.Path, Info: digest.Info{MD5: e.MD5, Size: e.Size,
			NFiles: e.NFiles, IsExec: e.IsExec}}
	}
	out := r.console.start(name, name+": "+title)
	if err := r.restoreOuts(n, outs); err != nil {
		out.Linef("%v", err)
		out.end("failed")
		return r.failed(name, err.Error(), nil)
	}
	return StageResult{Name: name, Result: Restored, Reason: "frozen",
		Seconds: out.end(Restored).Seconds()}
}

// restore restores the stage's outputs from a run with the same inputs.
func (r *runner) restore(n *node, c *check, key string) (StageResult, bool) {
	name := n.stage.Name
	run, err := r.p.cache.LookupRun(key)
	if err != nil || run == nil {
		return StageResult{}, false
	}

	out := r.console.start(name, name+": restoring outputs from the run cache")
	out.Linef("%s; a run with the same inputs took %s on %s", strings.Join(c.reasons, "; "),
		time.Duration(run.Seconds*float64(time.Second)).Round(time.Millisecond),
		run.Created.Format(time.DateTime))
	if err := r.dropRecord(name); err != nil {
		out.end(Failed)
		return r.failed(name, err.Error(), nil), true
	}
	if err := r.restoreOuts(n, run.Outs); err != nil {
		r.p.opts.Log.Warn("run cache unusable; running the stage", "stage", name, "err", err)
		out.Linef("cannot restore (%v); running the stage instead", err)
		out.end("skipped")
		return StageResult{}, false
	}

	outs := make([]lock.Entry, len(run.Outs))
	for i, o := range run.Outs {
		outs[i] = entry(o.Path, o.Info)
	}
	if err := r.setRecord(n, c, outs); err != nil {
		out.end(Failed)
		return r.failed(name, err.Error(), nil), true
	}
	took := out.end(Restored)
	return StageResult{Name: name, Result: Restored, Seconds: took.Seconds(),
		Reason: "inputs equal a cached run", SavedSeconds: run.Seconds}, true
}

// restoreOuts restores each of the stage's outputs from the cache.
func (r *runner) restoreOuts(n *node, outs []cache.RunOut) error {
	for _, o := range n.outs {
		path := lockPath(n.stage, o.path)
		var found *cache.RunOut
		for i := range outs {
			if outs[i].Path == path {
				found = &outs[i]
			}
		}
		if found == nil {
			return fmt.Errorf("no cached %s", path)
		}
		if err := r.p.cache.Restore(r.p.abs(o.path), found.Info); err != nil {
			return err
		}
	}
	return nil
}

// execute runs the stage's commands and records what they produced.
func (r *runner) execute(ctx context.Context, n *node, c *check, key string) StageResult {
	st := n.stage
	title := st.Name + ": " + strings.Join(st.Cmd, " && ")
	out := r.console.start(st.Name, title)
	out.Linef("running: %s", strings.Join(c.reasons, "; "))
	fail := func(msg string, res shell.Result) StageResult {
		out.end(Failed)
		sr := r.failed(st.Name, msg, res.Tail)
		sr.ExitCode, sr.Seconds = res.ExitCode, time.Since(out.start).Seconds()
		return sr
	}
	if err := r.dropRecord(st.Name); err != nil {
		return fail(err.Error(), shell.Result{})
	}
	if err := r.clearOuts(n); err != nil {
		return fail(err.Error(), shell.Result{})
	}

	if res, err := r.runCmds(ctx, st.Cmd, r.p.abs(st.Wdir), st.Timeout, out); err != nil {
		return fail(err.Error(), res)
	}
	took := time.Since(out.start)
	outs, err := r.saveOuts(n, key, took)
	if err == nil {
		err = r.setRecord(n, c, outs)
	}
	if err != nil {
		return fail(err.Error(), shell.Result{})
	}
	if err := r.push(ctx, out, key, outs, reusable(n)); err != nil {
		return fail("it ran, but "+err.Error()+"; mlci push retries", shell.Result{})
	}
	took = out.end(Ran)
	return StageResult{Name: st.Name, Result: Ran, Seconds: took.Seconds(),
		Reason: strings.Join(c.reasons, "; ")}
}

// clearOuts removes the outputs that are not persistent, as DVC does, and
// makes sure their directories exist.
func (r *runner) clearOuts(n *node) error {
	for _, o := range n.outs {
		path := r.p.abs(o.path)
		if !o.persist {
			if err := os.RemoveAll(path); err != nil {
				return fmt.Errorf("removing %s: %w", o.path, err)
			}
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("creating the directory of %s: %w", o.path, err)
		}
	}
	return nil
}

// runCmds runs the commands in order within the stage's timeout.
func (r *runner) runCmds(ctx context.Context, cmds []string, dir string, timeout time.Duration,
	out *stageOut) (shell.Result, error) {
	deadline := time.Now().Add(timeout)
	var res shell.Result
	for _, line := range cmds {
		left := time.Duration(0)
		if timeout > 0 {
			if left = time.Until(deadline); left <= 0 {
				left = time.Nanosecond
			}
		}
		var err error
		res, err = shell.Run(ctx, shell.Command{Line: line, Dir: dir, Timeout: left, Output: out})
		var xe *shell.ExitError
		if errors.As(err, &xe) && xe.TimedOut {
			xe.Timeout = timeout
		}
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// saveOuts hashes the outputs, caches them and records the run under key.
func (r *runner) saveOuts(n *node, key string, took time.Duration) ([]lock.Entry, error) {
	var entries []lock.Entry
	var runOuts []cache.RunOut
	for _, o := range n.outs {
		path := lockPath(n.stage, o.path)
		info, files, err := r.h.Path(r.p.abs(o.path), digest.MD5)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("the stage did not write its output %s", path)
		}
		if err != nil {
			return nil, fmt.Errorf("hashing %s: %w", path, err)
		}
		if err := r.p.cache.Save(r.p.abs(o.path), info, files); err != nil {
			return nil, err
		}
		entries = append(entries, entry(path, info))
		runOuts = append(runOuts, cache.RunOut{Path: path, Info: info})
	}
	if !reusable(n) {
		return entries, nil
	}
	run := &cache.Run{Stage: n.stage.Name, Outs: runOuts, Seconds: took.Seconds(),
		Created: time.Now().UTC().Truncate(time.Second)}
	if err := r.p.cache.SaveRun(key, run); err != nil {
		r.p.opts.Log.Warn("could not save the run cache", "stage", n.stage.Name, "err", err)
	}
	return entries, nil
}

func (r *runner) failed(name, reason string, tail []string) StageResult {
	return StageResult{Name: name, Result: Failed, Reason: reason, LastLines: tail}
}

// record returns the stage's lock record.
func (r *runner) record(name string) *lock.Stage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lock.Stage(name)
}

// dropRecord removes the stage from the lock file before its outputs are
// touched, so that a run killed at any moment leaves a lock file that is
// true for every stage it lists.
func (r *runner) dropRecord(name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.lock.Delete(name) {
		return nil
	}
	return lock.Write(r.p.lockFile(), r.lock)
}

// setRecord records the stage as run with c's inputs and produced outs.
func (r *runner) setRecord(n *node, c *check, outs []lock.Entry) error {
	st := n.stage
	rec := &lock.Stage{Cmd: st.Cmd, CmdList: len(st.Cmd) > 1, Deps: c.deps,
		Params: c.params, Outs: outs}
	rec.Sort()

	r.mu.Lock()
	defer r.mu.Unlock()
	r.lock.Set(st.Name, rec)
	return lock.Write(r.p.lockFile(), r.lock)
}

// runKey is the run-cache key of the stage with c's inputs: a hash of its
// command, working directory, dependencies' hashes, params values and
// output paths.
func runKey(n *node, c *check) string {
	type dep struct{ Path, MD5 string }
	k := struct {
		Cmd    []string
		Wdir   string
		Deps   []dep
		Params []lock.Params
		Outs   []string
	}{Cmd: n.stage.Cmd, Wdir: n.stage.Wdir, Params: c.params}
	for _, d := range c.deps {
		k.Deps = append(k.Deps, dep{d.Path, d.MD5})
	}
	for _, o := range n.outs {
		k.Outs = append(k.Outs, o.path)
	}
	data, _ := json.Marshal(k)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
