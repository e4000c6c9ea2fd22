package github

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/command"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
)

func TestPermission(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.perms["ada"] = [2]string{"write", "maintain"}
	f.perms["bob"] = [2]string{"read", "triage"}
	f.perms["cy"] = [2]string{"write", "ml-reviewer"} // a custom role
	f.perms["dee"] = [2]string{"admin", "admin"}
	r := newRun(t, workflowEnv(t, f, "issue_comment", ""))

	for user, want := range map[string]string{
		"ada": "maintain", "bob": "triage", "cy": "write", "dee": "admin", "eve": "none",
	} {
		got, err := r.c.Permission(t.Context(), user)
		require.NoError(t, err)
		assert.Equal(t, want, got, user)
	}
}

// TestCommentCommand runs a comment command the way the flow does: read
// the event, parse the command, check the commenter's permission, react,
// promote only when allowed, and reply with the outcome.
func TestCommentCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		perm     [2]string
		deployed int
		reply    string
	}{
		{"maintainer promotes", [2]string{"write", "maintain"}, 1, "promoted classifier"},
		{"reader may not", [2]string{"read", "read"}, 0, "has read permission"},
		{"triager may not", [2]string{"read", "triage"}, 0, "has triage permission"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.pulls = append(f.pulls, pullOne(f))
			f.perms["Codertocat"] = tt.perm
			env := workflowEnv(t, f, "issue_comment", "")
			env["GITHUB_EVENT_PATH"] = modified(t, "issue_comment.created.json",
				commentOnPull("/mlci promote classifier production"))
			r := newRun(t, env)

			ev, err := r.c.Event(t.Context())
			require.NoError(t, err)
			cmd, err := command.Parse(ev.Comment.Body)
			require.NoError(t, err)
			require.NoError(t, r.c.Acknowledge(t.Context(), ev))

			reply := "promoted classifier v3 to production"
			if _, err := command.Authorize(t.Context(), r.c, ev.Comment.Author, nil); err != nil {
				reply = "not promoted: " + err.Error()
			} else {
				require.NoError(t, r.c.Deploy(t.Context(), platform.Deployment{
					Model: cmd.Model, Version: "v3", Environment: cmd.Stage, Ref: ev.Head,
				}))
			}
			require.NoError(t, r.c.Reply(t.Context(), ev, reply))

			assert.Len(t, f.deployments, tt.deployed)
			require.Len(t, f.reactions, 1)
			assert.Equal(t, "eyes", f.reactions[0]["content"])
			comments := f.commentsOn(1)
			require.Len(t, comments, 1)
			assert.Contains(t, comments[0]["body"], "@Codertocat ")
			assert.Contains(t, comments[0]["body"], tt.reply)
		})
	}
}

func TestReplyIsNotRepeated(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.failOn(opCreateComment, "hang-after", 1)
	r := newRun(t, workflowEnv(t, f, "issue_comment", ""))
	ev := &platform.Event{Kind: platform.Comment, Number: 1,
		Comment: &platform.CommentEvent{ID: 7, Author: "ada", Body: "/mlci help"}}

	require.NoError(t, r.c.Reply(t.Context(), ev, command.HelpText))
	require.NoError(t, r.c.Reply(t.Context(), ev, command.HelpText))
	comments := f.commentsOn(1)
	require.Len(t, comments, 1)
	assert.Contains(t, comments[0]["body"], "mlci commands")

	other := *ev
	other.Comment = &platform.CommentEvent{ID: 8, Author: "ada", Body: "/mlci help"}
	require.NoError(t, r.c.Reply(t.Context(), &other, command.HelpText))
	assert.Len(t, f.commentsOn(1), 2, "another command gets its own reply")
}

func TestDeploy(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.failOn("POST /repos/{owner}/{repo}/deployments", "hang-after", 1)
	f.failOn("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", "502", 1)
	r := newRun(t, workflowEnv(t, f, "push", "push.json"))

	d := platform.Deployment{Model: "classifier", Version: "v1.5.0", Environment: "staging",
		Ref: prHead, URL: "https://models.example/classifier"}
	require.NoError(t, r.c.Deploy(t.Context(), d))
	require.NoError(t, r.c.Deploy(t.Context(), d))

	require.Len(t, f.deployments, 1, "the lost answer's deployment is found, not repeated")
	dep := f.deployments[0]
	assert.Equal(t, "staging", dep["environment"])
	assert.Equal(t, "deploy:model", dep["task"])
	assert.Equal(t, map[string]any{"model": "classifier", "version": "v1.5.0"}, dep["payload"])
	assert.Equal(t, false, dep["production_environment"])
	require.Len(t, f.depStatuses, 2)
	assert.Equal(t, "success", f.depStatuses[0]["state"])

	d.Version = "v1.6.0"
	d.Environment = "production"
	require.NoError(t, r.c.Deploy(t.Context(), d))
	require.Len(t, f.deployments, 2)
	assert.Equal(t, true, f.deployments[1]["production_environment"])

	err := r.c.Deploy(t.Context(), platform.Deployment{Model: "classifier", Ref: prHead})
	assert.Equal(t, exit.Usage, exit.Code(err))
}

func TestPropose(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	r := newRun(t, workflowEnv(t, f, "schedule", "workflow_dispatch.json"))
	p := platform.Proposal{Branch: "mlci/retrain", Title: "Retrain classifier",
		Body: "Gates passed.", Labels: []string{"mlci", "retrain"}}

	url, err := r.c.Propose(t.Context(), p)
	require.NoError(t, err)
	assert.Equal(t, "https://github.example/Codertocat/Hello-World/pull/100", url)

	p.Body = "Gates passed again."
	url2, err := r.c.Propose(t.Context(), p)
	require.NoError(t, err)
	assert.Equal(t, url, url2)

	require.Len(t, f.pulls, 1)
	pr := f.pulls[0]
	assert.Equal(t, "Gates passed again.", pr["body"])
	assert.Equal(t, "main", obj(pr, "base")["ref"], "the default branch from the payload")
	assert.Equal(t, []string{"mlci", "retrain", "mlci", "retrain"}, f.labels[100])
}

func TestChangedFiles(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	statuses := []string{
		"added",
		"removed",
		"modified",
		"renamed",
		"copied",
		"changed",
		"unchanged",
	}
	for i := range 250 {
		file := map[string]any{"filename": fmt.Sprintf("src/f%03d.py", i), "status": statuses[i%7]}
		if statuses[i%7] == "renamed" {
			file["previous_filename"] = fmt.Sprintf("old/f%03d.py", i)
		}
		f.files[2] = append(f.files[2], file)
	}
	r := newRun(t, workflowEnv(t, f, "pull_request", "pull_request.opened.json"))
	ev, err := r.c.Event(t.Context())
	require.NoError(t, err)

	files, err := r.c.ChangedFiles(t.Context(), ev)
	require.NoError(t, err)
	require.Len(t, files, 250)
	assert.Equal(t, 3, f.count("GET /repos/{owner}/{repo}/pulls/{pull_number}/files"))
	assert.Equal(t, platform.ChangedFile{Path: "src/f000.py", Status: "added"}, files[0])
	assert.Equal(t, platform.ChangedFile{Path: "src/f001.py", Status: "deleted"}, files[1])
	assert.Equal(t, platform.ChangedFile{
		Path: "src/f003.py", OldPath: "old/f003.py", Status: "renamed",
	}, files[3])
	assert.Equal(t, "modified", files[6].Status)
}

func TestSetOutputs(t *testing.T) {
	t.Parallel()
	r := newRun(t, workflowEnv(t, nil, "push", "push.json"))
	require.NoError(t, r.c.SetOutputs(map[string]string{
		"passed": "true", "stages": "train\nevaluate",
	}))
	data, err := os.ReadFile(r.env["GITHUB_OUTPUT"])
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"passed": "true", "stages": "train\nevaluate"},
		readOutputs(t, string(data)))

	err = r.c.SetOutputs(map[string]string{"model": "x\n" + outputDelimiter + "\npassed=true"})
	require.ErrorContains(t, err, "would end it early")

	local := newRun(t, map[string]string{"GITHUB_REPOSITORY": "o/r"})
	require.NoError(t, local.c.SetOutputs(map[string]string{"passed": "true"}))
}

// readOutputs reads a GITHUB_OUTPUT file as the runner does.
func readOutputs(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		require.True(t, ok, "line %q", lines[i])
		var val []string
		for i++; lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

func TestInputs(t *testing.T) {
	t.Parallel()
	in, err := ReadInputs(func(string) string { return "" })
	require.NoError(t, err)
	assert.Equal(t, Inputs{Command: "ci", Comment: true, Check: true, Promote: true,
		WorkingDirectory: ".", LogLevel: "info"}, in)

	env := map[string]string{
		"INPUT_COMMAND": "report --post --from 'eval/report dir/report.json'",
		"INPUT_CONFIG":  "ml/mlci.yaml", "INPUT_STAGES": "train, evaluate\nserve",
		"INPUT_COMMENT": "false", "INPUT_CHECK": "True", "INPUT_WORKING_DIRECTORY": "ml",
		"INPUT_LOG_LEVEL": "debug", "INPUT_BASE": "main",
	}
	in, err = ReadInputs(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, []string{"train", "evaluate", "serve"}, in.Stages)
	assert.False(t, in.Comment)
	assert.True(t, in.Check)
	assert.Equal(t, "main", in.Base)
	args, err := in.Args()
	require.NoError(t, err)
	assert.Equal(t, []string{"--repo", "ml", "--log-level", "debug", "--config", "ml/mlci.yaml",
		"report", "--post", "--from", "eval/report dir/report.json"}, args)

	env["INPUT_PROMOTE"] = "yes"
	_, err = ReadInputs(func(k string) string { return env[k] })
	require.EqualError(t, err, `input promote: "yes" is not true or false`)
	assert.Equal(t, exit.Usage, exit.Code(err))

	_, err = Inputs{Command: `report "--post`}.Args()
	require.ErrorContains(t, err, "unclosed quote")
}

func TestBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ api, want string }{
		{"", "https://api.github.com/"},
		{"https://api.github.com", "https://api.github.com/"},
		{"https://ghe.example/api/v3", "https://ghe.example/api/v3/"},
		{"https://ghe.example/api/v3/", "https://ghe.example/api/v3/"},
	}
	for _, tt := range tests {
		env := map[string]string{"GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": tt.api}
		r := newRun(t, env)
		assert.Equal(t, tt.want, r.c.BaseURL(), tt.api)
	}

	for _, env := range []map[string]string{
		{"GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": "ghe.example"},
		{"GITHUB_REPOSITORY": "just-a-name"},
	} {
		_, err := New(t.Context(), func(k string) string { return env[k] }, Options{})
		assert.Equal(t, exit.Usage, exit.Code(err), "%v", env)
	}
}

func TestDetect(t *testing.T) {
	t.Parallel()
	env := map[string]string{"GITHUB_ACTIONS": "true"}
	assert.True(t, Detect(func(k string) string { return env[k] }))
	assert.False(t, Detect(func(string) string { return "" }))
}

// TestRequestBodiesAreSDKTypes decodes what mlci sent back into the
// shapes the API documents, beyond the schema check every request gets.
func TestRequestBodiesAreSDKTypes(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	r := newRun(t, workflowEnv(t, f, "pull_request", "pull_request.opened.json"))
	ev, err := r.c.Event(t.Context())
	require.NoError(t, err)
	rep := testReport("may be promoted", platform.Success)
	require.NoError(t, r.c.Publish(t.Context(), ev, rep))

	checked := 0
	for _, w := range f.writes() {
		if w.Op != opCreateCheck {
			continue
		}
		checked++
		var body struct {
			ExternalID string `json:"external_id"`
			Output     struct{ Title, Summary string }
		}
		require.NoError(t, json.Unmarshal(w.Body, &body))
		assert.Equal(t, "4242.1", body.ExternalID)
		assert.Equal(t, "mlci · classifier may be promoted", body.Output.Title)
		assert.Contains(t, body.Output.Summary, "| accuracy | 0.87 |")
	}
	assert.Equal(t, 1, checked)
}
