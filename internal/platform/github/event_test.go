package github

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
)

const (
	prHead = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
	prBase = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"
)

// commentOnPull makes the issue_comment example a comment on pull request 1.
func commentOnPull(body string) func(map[string]any) {
	return func(m map[string]any) {
		obj(m, "issue")["pull_request"] = map[string]any{
			"url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/1",
		}
		obj(m, "comment")["body"] = body
	}
}

func TestEvent(t *testing.T) {
	t.Parallel()
	run := "https://github.example/Codertocat/Hello-World/actions/runs/4242"
	tests := []struct {
		name    string
		event   string
		payload string
		edit    func(map[string]any) // a change to a real payload, for cases it has none of
		want    platform.Event
	}{
		{"pull request opened", "pull_request", "pull_request.opened.json", nil, platform.Event{
			Kind: platform.PullRequest, Number: 2, Base: prBase, Head: prHead,
			BaseRef: "master", HeadRef: "changes", DefaultBranch: "master",
		}},
		{"pull request synchronized", "pull_request", "pull_request.synchronize.json", nil,
			platform.Event{
				Kind: platform.PullRequest, Number: 2, Base: prBase, Head: prHead,
				BaseRef: "master", HeadRef: "changes", DefaultBranch: "master",
			}},
		{
			"fork under pull_request_target",
			"pull_request_target",
			"pull_request.opened.json",
			forkHead,
			platform.Event{
				Kind: platform.PullRequest, Number: 2, Base: prBase, Head: prHead,
				BaseRef: "master", HeadRef: "changes", DefaultBranch: "master", Fork: true,
			},
		},
		{"push of a new branch", "push", "push.json", nil, platform.Event{
			Kind: platform.Push, Head: "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
			HeadRef: "master", DefaultBranch: "master",
		}},
		{"push", "push", "push.json", func(m map[string]any) {
			m["before"] = "6113728f27ae82c7b1a177c8d03f9e96e0adf245"
		}, platform.Event{
			Kind: platform.Push, Base: "6113728f27ae82c7b1a177c8d03f9e96e0adf245",
			Head:    "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
			HeadRef: "master", DefaultBranch: "master",
		}},
		{"comment on an issue", "issue_comment", "issue_comment.created.json", nil, platform.Event{
			Kind: platform.Comment, Number: 1, DefaultBranch: "master",
			Comment: &platform.CommentEvent{ID: 492700400, Author: "Codertocat",
				Body: "You are totally right! I'll get this fixed right away."},
		}},
		{"command on a pull request", "issue_comment", "issue_comment.created.json",
			commentOnPull("/mlci promote classifier production"), platform.Event{
				Kind: platform.Comment, Number: 1, Base: prBase, Head: prHead,
				BaseRef: "master", HeadRef: "changes", DefaultBranch: "master",
				Comment: &platform.CommentEvent{ID: 492700400, Author: "Codertocat",
					Body: "/mlci promote classifier production"},
			}},
		{"workflow_run of a fork's run", "workflow_run", "workflow_run.completed.json", nil,
			platform.Event{
				Kind: platform.Manual, Head: "5779607b49aab1200488439f02372c57b4f75444",
				HeadRef: "main", DefaultBranch: "main", Fork: true,
			}},
		{"workflow_run with its pull request", "workflow_run",
			"workflow_run.completed.pull_requests.json",
			func(m map[string]any) { obj(m, "workflow_run")["event"] = "pull_request" },
			platform.Event{
				Kind: platform.PullRequest, Number: 2, Base: prBase, BaseRef: "master",
				Head: "3484a3fb816e0859fd6e1cea078d76385ff50625", HeadRef: "master",
				DefaultBranch: "master",
			}},
		{"manual run", "workflow_dispatch", "workflow_dispatch.json", nil, platform.Event{
			Kind: platform.Manual, Head: "1111111111111111111111111111111111111111",
			HeadRef: "2/merge", DefaultBranch: "main",
		}},
		{"schedule", "schedule", "", nil, platform.Event{
			Kind: platform.Schedule, Head: "1111111111111111111111111111111111111111",
			HeadRef: "2/merge",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.pulls = append(f.pulls, pullOne(f))
			env := workflowEnv(t, f, tt.event, tt.payload)
			if tt.edit != nil {
				env["GITHUB_EVENT_PATH"] = modified(t, tt.payload, tt.edit)
			}
			r := newRun(t, env)

			got, err := r.c.Event(t.Context())
			require.NoError(t, err)
			want := tt.want
			want.RunURL, want.Workflow, want.Job = run, "mlci", "report"
			want.Actor, want.Repository = "Codertocat", "Codertocat/Hello-World"
			assert.Equal(t, &want, got)
		})
	}
}

// pullOne is pull request 1 as GET /repos/{owner}/{repo}/pulls/{n} answers,
// from the description's example with the refs of the payloads.
func pullOne(f *fakeGitHub) map[string]any {
	pr := f.example("GET /repos/{owner}/{repo}/pulls/{pull_number}", 200, nil)
	pr["number"] = 1
	obj(pr, "head")["sha"], obj(pr, "head")["ref"] = prHead, "changes"
	obj(pr, "base")["sha"], obj(pr, "base")["ref"] = prBase, "master"
	obj(pr, "head", "repo")["full_name"] = "Codertocat/Hello-World"
	obj(pr, "base", "repo")["full_name"] = "Codertocat/Hello-World"
	return pr
}

func TestEventErrors(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "event.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"pull_request": [}`), 0o644))
	tests := []struct {
		name, event, path, want string
		code                    int
	}{
		{"unknown event", "release", "", `does not handle the "release" event`, exit.Usage},
		{"missing payload", "pull_request", "/nonexistent/event.json", "reading the event payload",
			exit.Usage},
		{"broken payload", "pull_request", bad, "reading the event payload", exit.Usage},
		{"payload without a pull request", "pull_request", "testdata/webhooks/push.json",
			"has no pull_request", exit.Usage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := workflowEnv(t, nil, tt.event, "")
			env["GITHUB_EVENT_PATH"] = tt.path
			r := newRun(t, env)
			_, err := r.c.Event(t.Context())
			require.ErrorContains(t, err, tt.want)
			assert.Equal(t, tt.code, exit.Code(err))
		})
	}

	t.Run("pull request of a comment not readable", func(t *testing.T) {
		t.Parallel()
		f := newFake(t)
		env := workflowEnv(t, f, "issue_comment", "")
		env["GITHUB_EVENT_PATH"] = modified(
			t,
			"issue_comment.created.json",
			commentOnPull("/mlci help"),
		)
		r := newRun(t, env)
		_, err := r.c.Event(t.Context())
		require.ErrorContains(t, err, "reading pull request #1")
		assert.Equal(t, exit.External, exit.Code(err))
	})
}

func TestTrusted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		event string
		fork  bool
		ok    bool
	}{
		{"pull_request", true, true},
		{"pull_request", false, true},
		{"pull_request_target", false, true},
		{"pull_request_target", true, false},
		{"workflow_run", true, false},
		{"issue_comment", true, false},
		{"issue_comment", false, true},
		{"push", false, true},
	}
	for _, tt := range tests {
		env := workflowEnv(t, nil, tt.event, "")
		r := newRun(t, env)
		ev := &platform.Event{Kind: platform.PullRequest, Number: 7, Fork: tt.fork, Head: prHead}
		err := r.c.Trusted(ev)
		if tt.ok {
			assert.NoError(t, err, "%s fork=%v", tt.event, tt.fork)
			continue
		}
		var ue *UntrustedError
		require.ErrorAs(t, err, &ue, "%s fork=%v", tt.event, tt.fork)
		assert.Equal(t, exit.Usage, exit.Code(err))
		assert.Contains(t, err.Error(), "pull request #7 (ec26c3e) from a fork under "+tt.event)
	}
}
