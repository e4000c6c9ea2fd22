// Package platform is the edge between mlci's core and the CI system it runs
// in. It holds the Platform interface every host implements, the optional
// capabilities a host may add (found by type assertion), and the event and
// report types they exchange. The hosts live in the github, gitlab and local
// subpackages; nothing in the core knows which one it talks to.
package platform

import "context"

// Event kinds.
const (
	PullRequest = "pull_request"
	Push        = "push"
	Comment     = "comment"
	Schedule    = "schedule"
	Manual      = "manual"
	Local       = "local"
)

// Event is the CI event at hand, as the platform describes it.
type Event struct {
	// Kind is one of PullRequest, Push, Comment, Schedule, Manual or Local.
	Kind string `json:"kind"`
	// Base and Head are full commit SHAs; Base is empty when unknown.
	Base string `json:"base,omitempty"`
	Head string `json:"head,omitempty"`
	// BaseRef and HeadRef are branch names.
	BaseRef string `json:"base_ref,omitempty"`
	HeadRef string `json:"head_ref,omitempty"`
	// DefaultBranch is the repository's default branch.
	DefaultBranch string `json:"default_branch,omitempty"`
	// Number is the pull or merge request number, 0 when there is none.
	Number int `json:"number,omitempty"`
	// Fork is true when the pull request comes from another repository.
	Fork bool `json:"fork,omitempty"`
	// Comment is the comment of a Comment event.
	Comment *CommentEvent `json:"comment,omitempty"`
	// RunURL links to the CI run.
	RunURL string `json:"run_url,omitempty"`
	// Workflow and Job name the CI workflow (pipeline) and job.
	Workflow string `json:"workflow,omitempty"`
	Job      string `json:"job,omitempty"`
	// Actor is the user who caused the event.
	Actor string `json:"actor,omitempty"`
	// Repository is owner/name (GitHub) or the project path (GitLab).
	Repository string `json:"repository,omitempty"`
}

// CommentEvent is a comment on a pull request that may hold a command.
type CommentEvent struct {
	ID     int64  `json:"id"`
	Body   string `json:"body"`
	Author string `json:"author"`
}

// State is a verdict as platforms show it.
type State string

// The states of a report.
const (
	Success State = "success"
	Failure State = "failure"
	Neutral State = "neutral"
	Pending State = "pending"
)

// Report is what a platform publishes for one run.
type Report struct {
	// Key identifies the report for sticky comments; the Markdown carries it
	// in its hidden marker.
	Key string
	// Title is a one-line verdict.
	Title string
	// Markdown is the pull-request comment.
	Markdown string
	// Summary is the job summary (Markdown).
	Summary string
	// State is the verdict for the check run or commit status.
	State State
	// Annotations point at configuration lines of failing gates.
	Annotations []Annotation
	// Files are the report files written, by name (report.md, report.html …).
	Files map[string]string
}

// Annotation is a message attached to a line of a file.
type Annotation struct {
	Path    string
	Line    int
	Level   string // notice, warning or failure
	Title   string
	Message string
}

// Platform is what every CI platform does.
type Platform interface {
	// Name is github, gitlab or local.
	Name() string
	// Event describes the CI event at hand.
	Event(ctx context.Context) (*Event, error)
	// Publish posts or updates the report where people read it: the sticky
	// pull-request comment, the check run or commit status, the job summary.
	Publish(ctx context.Context, ev *Event, r *Report) error
}

// Outputs is a platform that passes values to later steps or jobs.
type Outputs interface {
	SetOutputs(values map[string]string) error
}

// Deployment is a promotion shown on the platform.
type Deployment struct {
	Model       string
	Version     string
	Environment string
	Ref         string
	URL         string
	Description string
}

// Deployer is a platform that records promotions as deployments.
type Deployer interface {
	Deploy(ctx context.Context, d Deployment) error
}

// Commander is a platform that acts on comment commands.
type Commander interface {
	// Permission returns the user's permission on the repository
	// (admin, maintain, write, triage, read or none).
	Permission(ctx context.Context, user string) (string, error)
	// Acknowledge shows that the comment was received (an eyes reaction).
	Acknowledge(ctx context.Context, ev *Event) error
	// Reply answers the comment on its pull request.
	Reply(ctx context.Context, ev *Event, body string) error
}

// Proposal is a pull request that continuous training opens or updates.
type Proposal struct {
	Branch string
	Base   string
	Title  string
	Body   string
	Labels []string
}

// Proposer is a platform that opens pull or merge requests.
type Proposer interface {
	// Propose opens a pull request for p.Branch, or updates the open one,
	// and returns its URL.
	Propose(ctx context.Context, p Proposal) (string, error)
}

// ChangedFile is a file a pull request changed, as the platform's API lists it.
type ChangedFile struct {
	Path    string
	OldPath string
	Status  string // added, modified, deleted or renamed
}

// FileLister is a platform that lists a pull request's files through its API,
// for when a shallow clone cannot reach the merge base.
type FileLister interface {
	ChangedFiles(ctx context.Context, ev *Event) ([]ChangedFile, error)
}

// MetricValue is one number of a model's metrics file.
type MetricValue struct {
	// Model names the model; File is the metrics file, as the configuration
	// names it; Key is the metric's key in that file (nested keys dotted).
	Model string
	File  string
	Key   string
	Value float64
}

// ArtefactSet is a run's machine-readable results: the gates' JUnit XML (nil
// when no gate ran) and the candidate's metrics.
type ArtefactSet struct {
	JUnit   []byte
	Metrics []MetricValue
}

// Artefacts is a platform that keeps a run's results in files of its own
// formats, which it shows beside the pull request (GitLab's test and metrics
// reports).
type Artefacts interface {
	WriteArtefacts(a ArtefactSet) error
}
