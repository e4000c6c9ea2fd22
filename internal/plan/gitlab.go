package plan

import (
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// DefaultImage is the job image of a GitLab child pipeline.
const DefaultImage = "ghcr.io/mlci-dev/mlci:latest"

// GitLabOptions shape a GitLab child pipeline.
type GitLabOptions struct {
	// Image is the jobs' image; DefaultImage when empty.
	Image string
	// Args are global mlci arguments every job passes (--config FILE).
	Args []string
}

// JobName is the name of the GitLab job that runs a stage.
func JobName(stage string) string { return "mlci-stage-" + stage }

// WriteGitLab writes the plan as a GitLab child pipeline, for `trigger:
// include: artifact:`: one job per stage running `mlci run --stage NAME`,
// `needs:` from the DAG and `tags:` from the stage's runs_on. A plan
// without stages gets one job that says so, as a pipeline needs a job.
func (p *Plan) WriteGitLab(w io.Writer, opts GitLabOptions) error {
	if opts.Image == "" {
		opts.Image = DefaultImage
	}
	doc := mapping()
	doc.Content = append(doc.Content, header(p, opts)...)

	for _, j := range p.Jobs() {
		job := mapping()
		add(job, "stage", scalar(levelStage(j.Level)))
		needs := seq()
		for _, n := range j.Needs {
			needs.Content = append(needs.Content, scalar(JobName(n)))
		}
		add(job, "needs", needs)
		if len(j.RunsOn) > 0 {
			add(job, "tags", strs(j.RunsOn))
		}
		add(job, "script", strs([]string{command(opts.Args, "run", "--stage", j.Stage)}))
		add(doc, JobName(j.Stage), job)
	}
	if len(p.Levels) == 0 {
		job := mapping()
		add(job, "stage", scalar(levelStage(0)))
		add(job, "script", strs([]string{"echo 'mlci: the change affects no stage'"}))
		add(doc, "mlci-nothing-to-run", job)
	}

	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	const head = "# Written by mlci plan: one job per affected stage.\n"
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing the child pipeline: %w", err)
	}
	return enc.Close()
}

// header returns the pipeline's stages, default image and variables.
func header(p *Plan, opts GitLabOptions) []*yaml.Node {
	stages := seq()
	for i := range max(len(p.Levels), 1) {
		stages.Content = append(stages.Content, scalar(levelStage(i)))
	}
	image := mapping()
	add(image, "name", scalar(opts.Image))
	entry := seq()
	entry.Content = append(entry.Content, scalar(""))
	entry.Style = yaml.FlowStyle
	add(image, "entrypoint", entry)
	def := mapping()
	add(def, "image", image)
	vars := mapping()
	// A stage job compares nothing; it needs only the commit it runs.
	add(vars, "GIT_DEPTH", scalar("1"))

	return []*yaml.Node{scalar("stages"), stages, scalar("default"), def,
		scalar("variables"), vars}
}

func levelStage(level int) string { return fmt.Sprintf("mlci-level-%d", level) }

// command is an mlci command line with its words quoted for the shell.
func command(global []string, words ...string) string {
	parts := []string{"mlci"}
	for _, w := range append(global, words...) {
		parts = append(parts, shellQuote(w))
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes w for a POSIX shell unless it is plainly safe.
func shellQuote(w string) string {
	safe := w != "" && strings.IndexFunc(w, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("-_./@=:,+", r))
	}) < 0
	if safe {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }
func seq() *yaml.Node     { return &yaml.Node{Kind: yaml.SequenceNode} }

func scalar(v string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
	return n
}

func strs(vs []string) *yaml.Node {
	n := seq()
	for _, v := range vs {
		n.Content = append(n.Content, scalar(v))
	}
	return n
}

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, scalar(key), v)
}
