//go:build ignore

// Extract copies, unmodified, the parts of GitHub's REST API description and
// webhook examples that the github package's tests check requests against.
// The packages are pinned in npm/package.json; run from this folder:
//
//	(cd npm && npm ci --ignore-scripts) && go run extract.go
//
// It writes openapi/operations.json (every path template with its methods,
// and for the operations mlci calls: parameters, request-body schema and
// response examples), webhooks/*.json (one payload per event mlci reads)
// and action/action-v1.0.min.json (the schema GitHub checks action.yml
// files with).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// operations are the calls mlci makes, "METHOD /path/template".
var operations = []string{
	"GET /user",
	"GET /repos/{owner}/{repo}",
	"GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
	"POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
	"PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
	"POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
	"POST /repos/{owner}/{repo}/issues/{issue_number}/labels",
	"GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls",
	"GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
	"POST /repos/{owner}/{repo}/check-runs",
	"PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
	"POST /repos/{owner}/{repo}/statuses/{sha}",
	"GET /repos/{owner}/{repo}/deployments",
	"POST /repos/{owner}/{repo}/deployments",
	"POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
	"GET /repos/{owner}/{repo}/collaborators/{username}/permission",
	"GET /repos/{owner}/{repo}/pulls",
	"POST /repos/{owner}/{repo}/pulls",
	"GET /repos/{owner}/{repo}/pulls/{pull_number}",
	"PATCH /repos/{owner}/{repo}/pulls/{pull_number}",
	"GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
}

// payloads name the webhook examples to copy: event, action ("" for none)
// and the index among that event's examples with that action.
var payloads = []struct {
	event, action string
	index         int
	file          string
}{
	{"pull_request", "opened", 0, "pull_request.opened.json"},
	{"pull_request", "synchronize", 0, "pull_request.synchronize.json"},
	{"push", "", 4, "push.json"},
	{"issue_comment", "created", 0, "issue_comment.created.json"},
	{"workflow_run", "completed", 0, "workflow_run.completed.json"},
	{"workflow_run", "completed", 2, "workflow_run.completed.pull_requests.json"},
	{"workflow_dispatch", "", 0, "workflow_dispatch.json"},
}

type operation struct {
	OperationID string                     `json:"operationId"`
	Parameters  []parameter                `json:"parameters"`
	RequestBody json.RawMessage            `json:"requestBody,omitempty"`
	Examples    map[string]json.RawMessage `json:"examples,omitempty"`
}

type parameter struct {
	Name string `json:"name"`
	In   string `json:"in"`
}

type output struct {
	Source     map[string]string     `json:"source"`
	Paths      map[string][]string   `json:"paths"`
	Operations map[string]*operation `json:"operations"`
}

func main() {
	npm := flag.String("npm", "npm/node_modules", "node_modules folder holding the packages")
	flag.Parse()

	if err := extractAPI(*npm); err != nil {
		fmt.Fprintln(os.Stderr, "extract:", err)
		os.Exit(1)
	}
	if err := extractPayloads(*npm); err != nil {
		fmt.Fprintln(os.Stderr, "extract:", err)
		os.Exit(1)
	}
	if err := extractActionSchema(*npm); err != nil {
		fmt.Fprintln(os.Stderr, "extract:", err)
		os.Exit(1)
	}
}

// extractActionSchema copies the action metadata schema as it is.
func extractActionSchema(npm string) error {
	pkg := filepath.Join(npm, "@actions", "workflow-parser")
	version, err := packageVersion(pkg)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(pkg, "dist", "action-v1.0.min.json"))
	if err != nil {
		return err
	}
	out := filepath.Join("action", "action-v1.0.min.json")
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	note := fmt.Sprintf("action-v1.0.min.json copied unmodified from @actions/workflow-parser %s "+
		"(dist/action-v1.0.min.json) by ../extract.go.\n", version)
	return os.WriteFile(filepath.Join("action", "SOURCE"), []byte(note), 0o644)
}

// rawOperation is an operation as the description holds it.
type rawOperation struct {
	OperationID string      `json:"operationId"`
	Parameters  []parameter `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema json.RawMessage `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Content map[string]struct {
			Examples map[string]struct {
				Value json.RawMessage `json:"value"`
			} `json:"examples"`
		} `json:"content"`
	} `json:"responses"`
}

func extractAPI(npm string) error {
	pkg := filepath.Join(npm, "@octokit", "openapi")
	version, err := packageVersion(pkg)
	if err != nil {
		return err
	}
	file := filepath.Join("generated", "api.github.com.deref.json")
	data, err := os.ReadFile(filepath.Join(pkg, file))
	if err != nil {
		return err
	}
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}

	out := output{
		Source: map[string]string{
			"package": "@octokit/openapi", "version": version, "file": file,
		},
		Paths:      map[string][]string{},
		Operations: map[string]*operation{},
	}
	for path, methods := range spec.Paths {
		for m := range methods {
			if m != "parameters" {
				out.Paths[path] = append(out.Paths[path], strings.ToUpper(m))
			}
		}
		sort.Strings(out.Paths[path])
	}
	for _, op := range operations {
		method, path, _ := strings.Cut(op, " ")
		raw, ok := spec.Paths[path][strings.ToLower(method)]
		if !ok {
			return fmt.Errorf("%s is not in %s", op, file)
		}
		o, err := convert(raw)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		out.Operations[op] = o
	}
	return writeJSON(filepath.Join("openapi", "operations.json"), out)
}

func convert(raw json.RawMessage) (*operation, error) {
	var r rawOperation
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	o := &operation{OperationID: r.OperationID, Parameters: r.Parameters}
	if r.RequestBody != nil {
		o.RequestBody = r.RequestBody.Content["application/json"].Schema
	}
	for status, resp := range r.Responses {
		examples := resp.Content["application/json"].Examples
		if len(examples) == 0 {
			continue
		}
		// The one named default, else the first by name.
		names := make([]string, 0, len(examples))
		for name := range examples {
			names = append(names, name)
		}
		sort.Strings(names)
		name := names[0]
		if _, ok := examples["default"]; ok {
			name = "default"
		}
		if o.Examples == nil {
			o.Examples = map[string]json.RawMessage{}
		}
		o.Examples[status] = examples[name].Value
	}
	return o, nil
}

func extractPayloads(npm string) error {
	pkg := filepath.Join(npm, "@octokit", "webhooks-examples")
	version, err := packageVersion(pkg)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(pkg, "api.github.com", "index.json"))
	if err != nil {
		return err
	}
	var events []struct {
		Name     string            `json:"name"`
		Examples []json.RawMessage `json:"examples"`
	}
	if err := json.Unmarshal(data, &events); err != nil {
		return err
	}

	for _, p := range payloads {
		ex, err := pick(events, p.event, p.action, p.index)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := json.Indent(&buf, ex, "", "  "); err != nil {
			return err
		}
		buf.WriteByte('\n')
		if err := os.WriteFile(filepath.Join("webhooks", p.file), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	note := fmt.Sprintf("Payloads copied unmodified from @octokit/webhooks-examples %s "+
		"(api.github.com/index.json) by ../extract.go.\n", version)
	return os.WriteFile(filepath.Join("webhooks", "SOURCE"), []byte(note), 0o644)
}

func pick(events []struct {
	Name     string            `json:"name"`
	Examples []json.RawMessage `json:"examples"`
}, event, action string, index int) (json.RawMessage, error) {
	n := 0
	for _, e := range events {
		if e.Name != event {
			continue
		}
		for _, ex := range e.Examples {
			var head struct {
				Action string `json:"action"`
			}
			if err := json.Unmarshal(ex, &head); err != nil {
				return nil, err
			}
			if head.Action != action {
				continue
			}
			if n == index {
				return ex, nil
			}
			n++
		}
	}
	return nil, fmt.Errorf("no example %d of %s %q", index, event, action)
}

func packageVersion(dir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return "", err
	}
	var p struct {
		Version string `json:"version"`
	}
	err = json.Unmarshal(data, &p)
	return p.Version, err
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
