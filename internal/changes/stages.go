package changes

import (
	"context"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
)

// maxKeyReasons bounds the params keys named one by one in a stage's reasons.
const maxKeyReasons = 5

// diffDefinitions finds the stages whose own definition differs between the
// two sides of the pipeline file. It compares each stage's block as
// written, canonically, so that reordering keys or reformatting changes
// nothing. An instance of a foreach or matrix over values written in the
// file compares the template and its own values, so that adding an item
// changes only the new instance; over a ${...} value it compares the whole
// block.
func (d *detector) diffDefinitions(ctx context.Context, sp span, files []File) error {
	f, ok := findFile(files, d.cfg.PipelineFile)
	if !ok {
		return nil
	}
	base, head, known, err := d.sides(ctx, sp, f)
	if err != nil {
		return err
	}
	heads, err := stageBlocks(head)
	if err != nil {
		return exit.Usagef("%s at the head (%s): %v", f.Path, short(sp.head), err)
	}
	bases, err := stageBlocks(base)
	if err != nil {
		d.log.Warn("cannot read the base's pipeline; every stage counts as redefined",
			"file", f.basePath(), "err", err)
		known = false
	}

	for _, s := range d.cfg.Stages {
		name, key, _ := strings.Cut(s.Name, "@")
		b, inBase := bases[name]
		switch {
		case !known:
			d.definitions[s.Name] = "pipeline file changed"
		case !inBase:
			d.definitions[s.Name] = "new stage"
		default:
			if why := definitionChange(b, heads[name], key); why != "" {
				d.definitions[s.Name] = why
			}
		}
	}
	return nil
}

// definitionChange says how the stage block that instance key (after the @,
// "" for a plain stage) comes from changed between base and head: "" when
// it did not. An instance of a foreach or matrix whose values both sides
// write in the file compares the template and its own values: "new stage"
// when the base has no such instance. Any other stage compares its block.
func definitionChange(base, head stageBlock, key string) string {
	headValue, inHead := head.instances[key]
	if key == "" || !inHead || base.instances == nil || base.loop != head.loop {
		if base.text != head.text {
			return "definition changed"
		}
		return ""
	}

	baseValue, inBase := base.instances[key]
	switch {
	case base.template != head.template:
		return "definition changed"
	case !inBase:
		return "new stage"
	case canonical(baseValue) != canonical(headValue):
		return "definition changed"
	}
	return ""
}

// foreachInstances names the items of a foreach as the config package
// names its instances: by key in a mapping; in a list, by index when an
// item is a list or a mapping, else by the item. It returns nil for a
// ${...} value, whose items the file does not hold.
func foreachInstances(items any) map[string]any {
	switch v := items.(type) {
	case map[string]any:
		return v
	case []any:
		out := map[string]any{}
		composite := slices.ContainsFunc(v, isComposite)
		for i, item := range v {
			name := fmt.Sprint(item)
			if composite {
				name = strconv.Itoa(i)
			}
			out[name] = item
		}
		return out
	}
	return nil
}

// matrixInstances names each combination of a matrix's lists, keys in the
// written order: its values joined by "-", a value that is a list or a
// mapping named by its key and index. It returns nil when the matrix's
// lists are not all written in the file.
func matrixInstances(matrix any, keys []string) map[string]any {
	m, ok := matrix.(map[string]any)
	if !ok || len(keys) != len(m) {
		return nil
	}
	combos := map[string]any{"": []any{}}
	for _, k := range keys {
		values, ok := m[k].([]any)
		if !ok {
			return nil
		}
		next := map[string]any{}
		for name, combo := range combos {
			for i, v := range values {
				part := fmt.Sprint(v)
				if isComposite(v) {
					part = k + strconv.Itoa(i)
				}
				if name != "" {
					part = name + "-" + part
				}
				next[part] = append(slices.Clone(combo.([]any)), v)
			}
		}
		combos = next
	}
	return combos
}

func isComposite(v any) bool {
	switch v.(type) {
	case []any, map[string]any:
		return true
	}
	return false
}

func withoutKey(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// canonical writes v as YAML with sorted keys.
func canonical(v any) string {
	out, err := yaml.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(out)
}

func findFile(files []File, p string) (File, bool) {
	if p == "" {
		return File{}, false
	}
	for _, f := range files {
		if f.Via == "" && (f.Path == p || f.OldPath == p) {
			return f, true
		}
	}
	return File{}, false
}

// stageBlock is a stage block of a pipeline file in a canonical form: YAML
// with sorted keys.
type stageBlock struct {
	text string
	// loop is "foreach" or "matrix" for a stage that makes instances.
	loop string
	// instances are the values of each instance by the name after its @,
	// when the file writes them (not a ${...}); template is the block
	// without them, canonically.
	instances map[string]any
	template  string
}

// stageBlocks returns each stage block of a pipeline file (dvc.yaml, or
// mlci.yaml with inline stages).
func stageBlocks(data []byte) (map[string]stageBlock, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	blocks := map[string]stageBlock{}
	stages := mappingValue(&doc, "stages")
	if stages == nil {
		return blocks, nil
	}
	for i := 0; i+1 < len(stages.Content); i += 2 {
		name, node := stages.Content[i].Value, stages.Content[i+1]
		var v any
		if err := node.Decode(&v); err != nil {
			return nil, fmt.Errorf("stage %s: %w", name, err)
		}
		out, err := yaml.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("stage %s: %w", name, err)
		}
		b := stageBlock{text: string(out)}
		raw, _ := v.(map[string]any)
		switch {
		case raw["foreach"] != nil:
			b.loop = "foreach"
			b.instances = foreachInstances(raw["foreach"])
		case raw["matrix"] != nil:
			b.loop = "matrix"
			b.instances = matrixInstances(raw["matrix"], mappingKeys(node, "matrix"))
		}
		if b.instances != nil {
			b.template = canonical(withoutKey(raw, b.loop))
		}
		blocks[name] = b
	}
	return blocks, nil
}

// mappingKeys returns the keys, in the written order, of the mapping under
// key in the mapping n.
func mappingKeys(n *yaml.Node, key string) []string {
	m := mappingValue(n, key)
	if m == nil {
		return nil
	}
	keys := make([]string, 0, len(m.Content)/2)
	for j := 0; j < len(m.Content); j += 2 {
		keys = append(keys, m.Content[j].Value)
	}
	return keys
}

// mappingValue returns the mapping node under key in the mapping n (or in
// the document n holds), nil when there is none.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.MappingNode {
			return n.Content[i+1]
		}
	}
	return nil
}

// affect fills the affected stages, their reasons and Tests. Frozen stages
// never run, so they are never affected and affect nothing downstream.
// always_changed stages are not listed for that alone: they run whatever
// changed, which the pipeline package decides.
func (d *detector) affect(res *Result) {
	paths := changedPaths(res.Files)
	res.Stages = []string{}
	res.Reasons = map[string][]string{}
	affected := map[string]bool{}

	for _, s := range d.order() {
		if s.Frozen {
			continue
		}
		reasons := d.depReasons(s, paths)
		reasons = append(reasons, d.paramReasons(s)...)
		if why := d.definitions[s.Name]; why != "" {
			reasons = append(reasons, why)
		}
		for _, up := range d.upstream(s) {
			if affected[up.Name] {
				reasons = append(reasons, "upstream "+up.Name+" affected")
			}
		}
		if len(reasons) > 0 {
			affected[s.Name] = true
			res.Stages = append(res.Stages, s.Name)
			res.Reasons[s.Name] = reasons
		}
	}
	res.Tests = res.Counts[Code] > 0 && len(d.cfg.Tests) > 0
}

// changedPaths returns the sorted paths, old and new, that may affect a
// stage. Docs never do.
func changedPaths(files []File) []string {
	paths := make([]string, 0, len(files))
	for _, f := range files {
		if f.Class == Docs {
			continue
		}
		paths = append(paths, f.Path)
		if f.OldPath != "" {
			paths = append(paths, f.OldPath)
		}
	}
	if !slices.IsSorted(paths) {
		slices.Sort(paths)
	}
	return paths
}

// depReasons names each dep of s that changed: the dep itself, a file
// under it (a directory dep), or a directory above it that changed as a
// whole (DVC-tracked directory, submodule).
func (d *detector) depReasons(s *config.Stage, paths []string) []string {
	var reasons []string
	for _, dep := range s.Deps {
		dep = path.Clean(dep)
		n := countUnder(paths, dep)
		switch {
		case n > 1:
			reasons = append(reasons, fmt.Sprintf("dep %s changed (%d files)", dep, n))
		case n == 1 || ancestorChanged(paths, dep):
			reasons = append(reasons, "dep "+dep+" changed")
		}
	}
	return reasons
}

// countUnder counts the sorted paths equal to or under dir.
func countUnder(paths []string, dir string) int {
	if dir == "." {
		return len(paths)
	}
	i := sort.SearchStrings(paths, dir)
	n := 0
	for ; i < len(paths) && strings.HasPrefix(paths[i], dir); i++ {
		if covers(dir, paths[i]) {
			n++
		}
	}
	return n
}

func ancestorChanged(paths []string, p string) bool {
	for dir := path.Dir(p); dir != "." && dir != "/"; dir = path.Dir(dir) {
		i := sort.SearchStrings(paths, dir)
		if i < len(paths) && paths[i] == dir {
			return true
		}
	}
	return false
}

// paramReasons names the params keys s reads that changed. A stage that
// names a whole file (or a section) reads every key in it.
//
// TODO: keys a stage reads only through ${...} in its cmd count when the
// config package adds them to the stage's params, as DVC does; a key used
// only in a vars file is not followed.
func (d *detector) paramReasons(s *config.Stage) []string {
	var keys, reasons []string
	for _, ref := range s.Params {
		file := paramFile(ref.File)
		if d.wholeParams[file] {
			reasons = append(reasons, "params file "+file+" changed")
			continue
		}
		for _, k := range d.paramKeys[file] {
			if reads(ref.Keys, k) {
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i == maxKeyReasons {
			reasons = append(reasons, fmt.Sprintf("%d more params changed", len(keys)-i))
			break
		}
		reasons = append(reasons, "param "+k+" changed")
	}
	return reasons
}

// reads reports whether a stage reading refs reads the changed key.
func reads(refs []string, key string) bool {
	if len(refs) == 0 {
		return true
	}
	for _, r := range refs {
		if r == key || strings.HasPrefix(key, r+".") || strings.HasPrefix(r, key+".") {
			return true
		}
	}
	return false
}

// order returns the stages in pipeline order: every stage after the stages
// it depends on, in file order otherwise.
func (d *detector) order() []*config.Stage {
	stages := d.cfg.Stages
	done := make(map[string]bool, len(stages))
	order := make([]*config.Stage, 0, len(stages))
	for len(order) < len(stages) {
		progress := false
		for _, s := range stages {
			if done[s.Name] || !d.ready(s, done) {
				continue
			}
			done[s.Name] = true
			order = append(order, s)
			progress = true
		}
		if !progress {
			// A cycle, which the config package rejects; keep file order.
			for _, s := range stages {
				if !done[s.Name] {
					done[s.Name] = true
					order = append(order, s)
				}
			}
		}
	}
	return order
}

func (d *detector) ready(s *config.Stage, done map[string]bool) bool {
	for _, up := range d.upstream(s) {
		if !done[up.Name] {
			return false
		}
	}
	return true
}

// upstream returns the stages whose outs s depends on.
func (d *detector) upstream(s *config.Stage) []*config.Stage {
	var ups []*config.Stage
	for _, t := range d.cfg.Stages {
		if t != s && feeds(t, s) {
			ups = append(ups, t)
		}
	}
	return ups
}

// feeds reports whether an out of t is, holds or lies under a dep of s.
func feeds(t, s *config.Stage) bool {
	for _, out := range stageOuts(t) {
		for _, dep := range s.Deps {
			dep = path.Clean(dep)
			if covers(out, dep) || covers(dep, out) {
				return true
			}
		}
	}
	return false
}

func stageOuts(s *config.Stage) []string {
	outs := make([]string, 0, len(s.Outs)+len(s.Metrics)+len(s.Plots))
	for _, o := range s.Outs {
		outs = append(outs, path.Clean(o.Path))
	}
	for _, o := range s.Metrics {
		outs = append(outs, path.Clean(o.Path))
	}
	for _, p := range s.Plots {
		outs = append(outs, path.Clean(p.Path))
	}
	return outs
}

func (d *detector) stage(name string) *config.Stage {
	for _, s := range d.cfg.Stages {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// covers reports whether p is dir or lies under it.
func covers(dir, p string) bool {
	return dir == "." || p == dir || strings.HasPrefix(p, dir) && p[len(dir)] == '/'
}
