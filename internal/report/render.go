// Package report renders what one mlci run found (the verdict, the changes,
// the stages, metrics and gates against the baseline, data checks and charts)
// as a pull-request comment, a CI job summary, a JSON record and a
// self-contained HTML page.
//
// It holds the view model (Data), the escaping of values that come from the
// repository, the sticky-comment marker, charts (Mermaid for Markdown, SVG for
// HTML) and the size limits of comments. The Markdown and HTML come from the
// templates under templates/report, embedded in the binary; a repository may
// replace any of them by name. It computes no results itself and publishes
// nothing: callers map their results into Data, and the platform packages post.
package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	texttemplate "text/template"

	mlci "github.com/mlci-dev/mlci"
)

// The formats Render writes.
const (
	// MD is the pull-request comment, with its sticky marker last.
	MD = "md"
	// Summary is the CI job summary.
	Summary = "summary"
	// JSON is Data itself; rendering it again gives the same reports.
	JSON = "json"
	// HTMLPage is a self-contained page with SVG charts, kept as an artefact.
	HTMLPage = "html"
)

// Formats are the formats Render writes, in the order they are listed to people.
var Formats = []string{MD, Summary, JSON, HTMLPage}

// Size limits of the places a Markdown report is posted, in characters.
const (
	GitHubLimit = 65536
	GitLabLimit = 1000000
)

// embeddedDir is where the report templates live in mlci.Templates.
const embeddedDir = "templates/report"

// ErrFormat is returned for a format Render does not know.
var ErrFormat = errors.New("unknown report format")

// TemplateError is a report template that could not be read, parsed or run;
// Path is the template's file (embedded files are named templates/report/…).
type TemplateError struct {
	Path string
	Err  error
}

// Error names the template and what went wrong in it.
func (e *TemplateError) Error() string { return fmt.Sprintf("template %s: %v", e.Path, e.Err) }

// Unwrap returns the template package's error.
func (e *TemplateError) Unwrap() error { return e.Err }

// Options tune how a report is rendered.
type Options struct {
	// Precision is the number of decimals of metrics and other values; 0 means 4.
	Precision int
	// TemplateDir is a folder whose *.tmpl files replace the embedded
	// templates of the same name; "" uses the embedded ones only.
	TemplateDir string
	// Limit is the most characters (counted as bytes, never fewer) the md and
	// summary formats may have; 0 means no limit. Past it, the least important
	// details are left out first and the report says so.
	Limit int
	// MaxSeries is the most series a chart draws; 0 means 8.
	MaxSeries int
	// MaxPoints is the most points a series has in an SVG chart; 0 means 200.
	// Mermaid charts have a fixed grid of at most 41 points.
	MaxPoints int
}

func (o Options) withDefaults() Options {
	if o.Precision <= 0 {
		o.Precision = 4
	}
	o.Precision = min(o.Precision, 12)
	if o.MaxSeries <= 0 {
		o.MaxSeries = 8
	}
	if o.MaxPoints <= 0 {
		o.MaxPoints = 200
	}
	o.MaxPoints = max(o.MaxPoints, 3)
	return o
}

// Render writes d in format (MD, Summary, JSON or HTMLPage). The same d and
// opts always give the same bytes.
func Render(format string, d *Data, opts Options) ([]byte, error) {
	opts = opts.withDefaults()
	p := prepare(d)

	switch format {
	case MD, Summary:
		return renderMarkdown(format, p, opts)
	case JSON:
		return encodeJSON(p)
	case HTMLPage:
		return renderHTML(p, opts)
	}
	return nil, fmt.Errorf("%w %q: want one of %s", ErrFormat, format, strings.Join(Formats, ", "))
}

// Title is the report's verdict in one plain line, for a check run or a
// commit status: "✅ churn: all 4 gates passed".
func Title(d *Data) string {
	return newView(prepare(d), Options{}.withDefaults()).Title()
}

func encodeJSON(d *Data) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("encoding the report as JSON: %w", err)
	}
	return b.Bytes(), nil
}

// Decode reads a report.json as written by Render.
func Decode(data []byte) (*Data, error) {
	var d Data
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, jsonError(data, err)
	}
	if d.Schema > Schema {
		return nil, fmt.Errorf(
			"report schema %d is newer than this mlci reads (%d)",
			d.Schema,
			Schema,
		)
	}
	return &d, nil
}

// jsonError adds the line and column to a JSON decoding error.
func jsonError(data []byte, err error) error {
	var offset int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	case errors.Is(err, io.ErrUnexpectedEOF):
		line := bytes.Count(data, []byte("\n")) + 1
		return fmt.Errorf("line %d: the JSON ends early: %w", line, err)
	}
	if offset < 0 {
		return err
	}
	before := data[:min(int(offset), len(data))]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n') - 1
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}

// templateFiles returns the report templates whose names end in suffix:
// the embedded ones, with the files of dir (if any) replacing them by name.
func templateFiles(dir, suffix string) (names []string, files map[string]file, err error) {
	files = map[string]file{}
	embedded, err := fs.ReadDir(mlci.Templates, embeddedDir)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the embedded templates: %w", err)
	}
	for _, e := range embedded {
		name := path.Join(embeddedDir, e.Name())
		data, err := fs.ReadFile(mlci.Templates, name)
		if err != nil {
			return nil, nil, fmt.Errorf("reading %s: %w", name, err)
		}
		files[e.Name()] = file{name, string(data)}
	}
	if dir != "" {
		if err := overrideFiles(dir, files); err != nil {
			return nil, nil, err
		}
	}

	for name := range files {
		if strings.HasSuffix(name, suffix) {
			names = append(names, name)
		}
	}
	return sortStrings(names), files, nil
}

// file is a template's path (for errors) and text.
type file struct{ path, text string }

// overrideFiles puts the *.tmpl files of dir into files, by name.
func overrideFiles(dir string, files map[string]file) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return &TemplateError{Path: dir, Err: err}
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tmpl") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(p)
		if err != nil {
			return &TemplateError{Path: p, Err: err}
		}
		files[e.Name()] = file{p, string(data)}
	}
	return nil
}

func renderMarkdown(format string, d *Data, opts Options) ([]byte, error) {
	t, err := parseText(opts)
	if err != nil {
		return nil, err
	}
	v := newView(d, opts)
	v.Summary = format == Summary
	name := "report.md.tmpl"
	if v.Summary {
		name = "summary.md.tmpl"
	}
	return fit(v, opts.Limit, func() ([]byte, error) { return execText(t, name, v) })
}

// funcKey is what the template functions depend on: embedded templates are
// parsed once per key and then only executed, which is safe concurrently.
type funcKey struct{ precision, maxPoints int }

var embeddedText, embeddedHTML sync.Map // funcKey → parsed templates

func parseText(opts Options) (*texttemplate.Template, error) {
	if opts.TemplateDir != "" {
		return parseTextFiles(opts)
	}
	key := funcKey{opts.Precision, opts.MaxPoints}
	if t, ok := embeddedText.Load(key); ok {
		return t.(*texttemplate.Template), nil
	}
	t, err := parseTextFiles(opts)
	if err != nil {
		return nil, err
	}
	embeddedText.Store(key, t)
	return t, nil
}

func parseTextFiles(opts Options) (*texttemplate.Template, error) {
	names, files, err := templateFiles(opts.TemplateDir, ".md.tmpl")
	if err != nil {
		return nil, err
	}
	t := texttemplate.New("").Funcs(markdownFuncs(opts)).
		Option("missingkey=error")
	for _, name := range names {
		if _, err := t.New(name).Parse(files[name].text); err != nil {
			return nil, &TemplateError{Path: files[name].path, Err: err}
		}
	}
	return t, nil
}

func execText(t *texttemplate.Template, name string, v *view) ([]byte, error) {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, v); err != nil {
		return nil, &TemplateError{Path: name, Err: err}
	}
	return tidy(b.Bytes()), nil
}

func renderHTML(d *Data, opts Options) ([]byte, error) {
	t, err := parseHTML(opts)
	if err != nil {
		return nil, err
	}

	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "report.html.tmpl", newView(d, opts)); err != nil {
		return nil, &TemplateError{Path: "report.html.tmpl", Err: err}
	}
	return append(bytes.TrimSpace(b.Bytes()), '\n'), nil
}

func parseHTML(opts Options) (*htmltemplate.Template, error) {
	if opts.TemplateDir != "" {
		return parseHTMLFiles(opts)
	}
	key := funcKey{opts.Precision, opts.MaxPoints}
	if t, ok := embeddedHTML.Load(key); ok {
		return t.(*htmltemplate.Template), nil
	}
	t, err := parseHTMLFiles(opts)
	if err != nil {
		return nil, err
	}
	embeddedHTML.Store(key, t)
	return t, nil
}

func parseHTMLFiles(opts Options) (*htmltemplate.Template, error) {
	names, files, err := templateFiles(opts.TemplateDir, ".html.tmpl")
	if err != nil {
		return nil, err
	}
	t := htmltemplate.New("").Funcs(htmlFuncs(opts)).
		Option("missingkey=error")
	for _, name := range names {
		if _, err := t.New(name).Parse(files[name].text); err != nil {
			return nil, &TemplateError{Path: files[name].path, Err: err}
		}
	}
	return t, nil
}

// tidy collapses runs of blank lines, which templates leave behind and which
// Markdown does not need, drops trailing spaces and ends the text with one
// newline. The insides of fenced code blocks are kept as they are.
func tidy(b []byte) []byte {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	out := make([]string, 0, len(lines))
	blank, fence := false, ""
	for _, l := range lines {
		if fence != "" {
			out = append(out, l)
			if strings.HasPrefix(l, fence) && strings.Trim(l, "`") == "" {
				fence = ""
			}
			continue
		}

		l = strings.TrimRight(l, " \t")
		if l == "" && blank {
			continue
		}
		blank = l == ""
		if n := longestRun(l, '`'); n >= 3 && strings.HasPrefix(l, strings.Repeat("`", n)) {
			fence = strings.Repeat("`", n)
		}
		out = append(out, l)
	}
	return []byte(strings.Join(out, "\n") + "\n")
}
