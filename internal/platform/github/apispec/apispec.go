// Package apispec checks HTTP requests against GitHub's REST API
// description, for the tests of the github package and its fake server.
//
// It reads the extract that testdata/extract.go makes from the
// @octokit/openapi package: every path template with its methods, and for
// the operations mlci calls their parameters, request-body schemas and
// response examples. It matches a request to its operation, checks the query
// keys and validates the JSON body. It holds no client or server of its own.
package apispec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ErrUnknown is returned for a request that no operation of the
// description matches.
var ErrUnknown = errors.New("not in GitHub's REST API description")

// Spec is the extract of the API description.
type Spec struct {
	// Source names the package, version and file the extract came from.
	Source map[string]string `json:"source"`
	// Paths maps every path template to its methods.
	Paths map[string][]string `json:"paths"`
	// Operations are the operations mlci calls, by "METHOD template".
	Operations map[string]*Operation `json:"operations"`

	templates []template
}

// Operation is one operation of the description.
type Operation struct {
	OperationID string                     `json:"operationId"`
	Parameters  []Parameter                `json:"parameters"`
	RequestBody json.RawMessage            `json:"requestBody"`
	Examples    map[string]json.RawMessage `json:"examples"`

	schema *jsonschema.Schema
}

// Parameter is a path, query or header parameter.
type Parameter struct {
	Name string `json:"name"`
	In   string `json:"in"`
}

type template struct {
	path  string
	parts []string
}

// Load reads an extract and compiles its request-body schemas.
func Load(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the API description: %w", err)
	}
	var s Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	for p := range s.Paths {
		s.templates = append(s.templates, template{path: p, parts: strings.Split(p, "/")})
	}
	// Literal segments before parameters: /pulls/comments before /pulls/{n}.
	sort.Slice(s.templates, func(i, j int) bool {
		return literals(s.templates[i]) > literals(s.templates[j])
	})
	for key, op := range s.Operations {
		if err := op.compile(); err != nil {
			return nil, fmt.Errorf("%s in %s: %w", key, path, err)
		}
	}
	return &s, nil
}

func literals(t template) int {
	n := 0
	for _, p := range t.parts {
		if !strings.HasPrefix(p, "{") {
			n++
		}
	}
	return n
}

// Match returns the path template that method and path (relative to the
// API root, such as /repos/o/r/pulls/1) fall under.
func (s *Spec) Match(method, path string) (string, error) {
	parts := strings.Split(path, "/")
	for _, t := range s.templates {
		if matches(t.parts, parts) && slices.Contains(s.Paths[t.path], method) {
			return t.path, nil
		}
	}
	return "", fmt.Errorf("%s %s: %w", method, path, ErrUnknown)
}

func matches(tmpl, parts []string) bool {
	if len(tmpl) != len(parts) {
		return false
	}
	for i, t := range tmpl {
		if strings.HasPrefix(t, "{") {
			if parts[i] == "" {
				return false
			}
			continue
		}
		if t != parts[i] {
			return false
		}
	}
	return true
}

// Check matches a request to its operation and validates its query keys
// and JSON body. It returns the operation's "METHOD template" key.
func (s *Spec) Check(method, path string, query url.Values, body []byte) (string, error) {
	tmpl, err := s.Match(method, path)
	if err != nil {
		return "", err
	}
	key := method + " " + tmpl
	op, ok := s.Operations[key]
	if !ok {
		return key, fmt.Errorf("%s is in the description but not in the extract: "+
			"add it to testdata/extract.go and run it", key)
	}
	if err := op.checkQuery(query); err != nil {
		return key, fmt.Errorf("%s: %w", key, err)
	}
	if err := op.checkBody(body); err != nil {
		return key, fmt.Errorf("%s: %w", key, err)
	}
	return key, nil
}

// Example returns the description's example response of an operation for a
// status code, decoded.
func (s *Spec) Example(key string, status int) (any, bool) {
	op, ok := s.Operations[key]
	if !ok {
		return nil, false
	}
	raw, ok := op.Examples[fmt.Sprint(status)]
	if !ok {
		return nil, false
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, false
	}
	return v, true
}

func (op *Operation) checkQuery(query url.Values) error {
	for k := range query {
		known := slices.ContainsFunc(op.Parameters, func(p Parameter) bool {
			return p.In == "query" && p.Name == k
		})
		if !known {
			return fmt.Errorf("query parameter %q is not one of the operation's", k)
		}
	}
	return nil
}

func (op *Operation) checkBody(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		if op.schema != nil && op.required() {
			return errors.New("the operation needs a request body")
		}
		return nil
	}
	if op.schema == nil {
		return errors.New("the operation takes no request body")
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	if err := op.schema.Validate(v); err != nil {
		return fmt.Errorf("request body does not match the description: %w", err)
	}
	return nil
}

// required reports whether the schema asks for any property, which is
// when an empty body is wrong.
func (op *Operation) required() bool {
	var s struct {
		Required []string `json:"required"`
	}
	return json.Unmarshal(op.RequestBody, &s) == nil && len(s.Required) > 0
}

// compile turns the OpenAPI 3.0 schema into JSON Schema (nullable becomes
// a "null" type) and compiles it.
func (op *Operation) compile() error {
	if len(op.RequestBody) == 0 {
		return nil
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(op.RequestBody))
	if err != nil {
		return err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource("body.json", nullable(doc)); err != nil {
		return err
	}
	op.schema, err = c.Compile("body.json")
	return err
}

// nullable rewrites OpenAPI's `nullable: true` as JSON Schema's null type,
// in place, through the whole schema.
func nullable(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = nullable(x)
		}
		if n, _ := v["nullable"].(bool); n {
			delete(v, "nullable")
			if t, ok := v["type"].(string); ok {
				v["type"] = []any{t, "null"}
			}
			if e, ok := v["enum"].([]any); ok {
				v["enum"] = append(e, nil)
			}
		}
	case []any:
		for i, x := range v {
			v[i] = nullable(x)
		}
	}
	return v
}
