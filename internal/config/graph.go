package config

import (
	"sort"
	"strings"
)

// output is a path a stage writes: one of its outs, metrics or plots.
type output struct {
	path  string
	field string
	pos   Pos
	stage *Stage
}

// outputs returns every path s writes.
func outputs(s *Stage) []output {
	var out []output
	for _, o := range s.Outs {
		out = append(out, output{path: o.Path, field: "outs", pos: o.Pos, stage: s})
	}
	for _, o := range s.Metrics {
		out = append(out, output{path: o.Path, field: "metrics", pos: o.Pos, stage: s})
	}
	for _, o := range s.Plots {
		out = append(out, output{path: o.Path, field: "plots", pos: o.Pos, stage: s})
	}
	return out
}

// checkGraph checks that no two outputs are the same path or one inside the
// other, and that no stage depends on itself through other stages.
func (p *pipeline) checkGraph() {
	owners := p.checkOutputs()
	next := p.edges(owners)
	p.checkCycles(next)
}

// checkOutputs reports outputs written twice or inside one another, and
// returns each output by path.
func (p *pipeline) checkOutputs() map[string]output {
	owners := map[string]output{}
	var all []output
	for _, s := range p.stages {
		for _, o := range outputs(s) {
			prev, dup := owners[o.path]
			if !dup {
				owners[o.path] = o
				all = append(all, o)
				continue
			}
			at := key(key("stages", o.stage.Name), o.field)
			if prev.stage == o.stage {
				p.d.errorAt(o.pos, at, "%q is listed twice", o.path)
				continue
			}
			p.d.errorAt(o.pos, at, "%q is also an output of stage %q (%s)",
				o.path, prev.stage.Name, prev.pos)
		}
	}
	for _, o := range all {
		for dir := parent(o.path); dir != ""; dir = parent(dir) {
			if prev, ok := owners[dir]; ok {
				at := key(key("stages", o.stage.Name), o.field)
				p.d.errorAt(o.pos, at, "%q is inside %q, an output of stage %q (%s)",
					o.path, dir, prev.stage.Name, prev.pos)
				break
			}
		}
	}
	return owners
}

// parent returns the directory holding a relative path, "" at the top.
func parent(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return ""
	}
	return p[:i]
}

// edges returns, for each stage, the stages that read its outputs: a dep
// that is an output, lies inside one, or holds one.
func (p *pipeline) edges(owners map[string]output) map[*Stage][]*Stage {
	paths := make([]string, 0, len(owners))
	for path := range owners {
		paths = append(paths, path)
	}
	sort.Strings(paths)

	next := map[*Stage][]*Stage{}
	for _, s := range p.stages {
		seen := map[*Stage]bool{}
		for _, dep := range s.Deps {
			for _, o := range producers(dep, paths, owners) {
				if o.stage == s {
					p.d.errorAt(s.Pos, key(key("stages", s.Name), "deps"),
						"%q is also an output of the same stage (%s)", dep, o.pos)
					continue
				}
				if !seen[o.stage] {
					seen[o.stage] = true
					next[o.stage] = append(next[o.stage], s)
				}
			}
		}
	}
	return next
}

// producers returns the outputs a dependency reads: the output it names,
// the one holding it, and those inside it.
func producers(dep string, sorted []string, owners map[string]output) []output {
	var out []output
	for dir := dep; dir != ""; dir = parent(dir) {
		if o, ok := owners[dir]; ok {
			out = append(out, o)
		}
	}
	prefix := dep + "/"
	if dep == "." {
		prefix = ""
	}
	for i := sort.SearchStrings(sorted, prefix); i < len(sorted); i++ {
		if !strings.HasPrefix(sorted[i], prefix) {
			break
		}
		out = append(out, owners[sorted[i]])
	}
	return out
}

// checkCycles reports the first cycle between stages, in stage order.
func (p *pipeline) checkCycles(next map[*Stage][]*Stage) {
	const (
		unseen = iota
		open
		done
	)
	state := map[*Stage]int{}
	var stack []*Stage
	var visit func(s *Stage) bool
	visit = func(s *Stage) bool {
		state[s] = open
		stack = append(stack, s)
		for _, t := range next[s] {
			if state[t] == open {
				p.reportCycle(stack, t)
				return true
			}
			if state[t] == unseen && visit(t) {
				return true
			}
		}
		stack = stack[:len(stack)-1]
		state[s] = done
		return false
	}
	for _, s := range p.stages {
		if state[s] == unseen && visit(s) {
			return
		}
	}
}

// reportCycle reports the cycle that closes at t on the stack.
func (p *pipeline) reportCycle(stack []*Stage, t *Stage) {
	i := 0
	for stack[i] != t {
		i++
	}
	names := make([]string, 0, len(stack)-i+1)
	for _, s := range stack[i:] {
		names = append(names, s.Name)
	}
	names = append(names, t.Name)
	p.d.errorAt(t.Pos, "stages", "stages form a cycle: %s (each reads an output of the one before)",
		strings.Join(names, " -> "))
}
