package registry

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Action is what a registry tag does, named as GTO names its events.
type Action string

// The actions of registry tags.
const (
	// ActionRegister gives a commit a version: NAME@vX.Y.Z.
	ActionRegister Action = "registration"
	// ActionDeregister withdraws a version: NAME@vX.Y.Z!.
	ActionDeregister Action = "deregistration"
	// ActionAssign puts a version in a stage: NAME#STAGE#N.
	ActionAssign Action = "assignment"
	// ActionUnassign takes a version out of a stage: NAME#STAGE!#N.
	ActionUnassign Action = "unassignment"
	// ActionDeprecate retires a model: NAME@deprecated.
	ActionDeprecate Action = "deprecation"
)

// The grammar of GTO's tags. A model name may sit in a folder, "dir:name",
// written "dir=name" in a tag; names and stages are lowercase.
const (
	namePattern    = `[a-z0-9](?:[a-z0-9/-]*[a-z0-9])?`
	dirPattern     = `[a-z0-9_./-]+`
	semverPattern  = `(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` + prePattern + buildPattern
	preIdent       = `(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)`
	prePattern     = `(?:-(` + preIdent + `(?:\.` + preIdent + `)*))?`
	buildPattern   = `(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?`
	artifactInTag  = `(?:` + dirPattern + `=)?` + namePattern
	artifactInName = `(?:` + dirPattern + `:)?` + namePattern
)

var (
	nameRE     = regexp.MustCompile(`^` + namePattern + `$`)
	artifactRE = regexp.MustCompile(`^` + artifactInTag + `$`)
	fullRE     = regexp.MustCompile(`^` + artifactInName + `$`)
	versionRE  = regexp.MustCompile(`^v` + semverPattern + `$`)
)

// parsed is a tag name read by GTO's grammar.
type parsed struct {
	action  Action
	model   string
	version string
	stage   string
	counter int // 0 when the tag has none
}

// parseTag reads a tag name; ok is false for a name outside GTO's grammar
// and for NAME@created, which GTO parses but never acts on. It accepts what
// tagRE accepts, without the regular expression's cost on every tag.
func parseTag(tag string) (p parsed, ok bool) {
	i := strings.IndexAny(tag, "@#")
	if i <= 0 || !artifactRE.MatchString(tag[:i]) {
		return p, false
	}
	p.model = strings.ReplaceAll(tag[:i], "=", ":")
	body, counter, hasCounter := strings.Cut(tag[i+1:], "#")
	if hasCounter {
		if counter == "" || strings.Trim(counter, "0123456789") != "" {
			return parsed{}, false
		}
		p.counter, _ = strconv.Atoi(counter)
	}
	name, cancel := strings.CutSuffix(body, "!")

	switch {
	case tag[i] == '#':
		p.stage = name
		p.action = pick(cancel, ActionUnassign, ActionAssign)
		ok = nameRE.MatchString(name)
	case body == "deprecated":
		p.action, ok = ActionDeprecate, true
	default:
		p.version = name
		p.action = pick(cancel, ActionDeregister, ActionRegister)
		ok = versionRE.MatchString(name)
	}
	if !ok {
		return parsed{}, false
	}
	return p, true
}

func pick(cancel bool, yes, no Action) Action {
	if cancel {
		return yes
	}
	return no
}

// tagName writes the tag of an action; counter 0 leaves the counter out.
func tagName(action Action, model, version, stage string, counter int) string {
	base := strings.ReplaceAll(model, ":", "=")
	switch action {
	case ActionRegister:
		base += "@" + version
	case ActionDeregister:
		base += "@" + version + "!"
	case ActionAssign:
		base += "#" + stage
	case ActionUnassign:
		base += "#" + stage + "!"
	case ActionDeprecate:
		base += "@deprecated"
	}
	if counter > 0 {
		base += "#" + strconv.Itoa(counter)
	}
	return base
}

// CheckModelName returns an error when name cannot name a model in GTO's
// tags: lowercase letters, digits, "-" and "/", in an optional "dir:" folder.
func CheckModelName(name string) error {
	if fullRE.MatchString(name) {
		return nil
	}
	return fmt.Errorf("model name %q cannot be written in a registry tag: GTO's names are "+
		"lowercase letters, digits, - and /, starting and ending with a letter or digit, "+
		"optionally in a folder (dir:name)", name)
}

// CheckStageName returns an error when stage cannot name a stage in GTO's tags.
func CheckStageName(stage string) error {
	if nameRE.MatchString(stage) {
		return nil
	}
	return fmt.Errorf("stage name %q cannot be written in a registry tag: GTO's stages are "+
		"lowercase letters, digits, - and /, starting and ending with a letter or digit", stage)
}

// CheckVersion returns an error when v is not a version GTO reads: "v"
// and a semantic version, v1.2.3.
func CheckVersion(v string) error {
	if versionRE.MatchString(v) {
		return nil
	}
	return fmt.Errorf("version %q is not a semantic version with a v prefix, like v1.2.3", v)
}

// looksLikeOurs reports whether a tag outside GTO's grammar was probably
// meant as a registry tag: it holds "#", or "@v" with a digit, or
// "@deprecated", or it starts with a known model's name and "@".
func looksLikeOurs(tag string, models map[string]bool) bool {
	if strings.Contains(tag, "#") || strings.Contains(tag, "@deprecated") {
		return true
	}
	if i := strings.Index(tag, "@v"); i >= 0 && i+2 < len(tag) && isDigit(tag[i+2]) {
		return true
	}
	name, _, found := strings.Cut(tag, "@")
	return found && models[strings.ReplaceAll(name, "=", ":")]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// diagnose says what is wrong with a tag that looks like a registry tag.
func diagnose(tag string) string {
	i := strings.IndexAny(tag, "@#")
	if i < 0 {
		return "it names no version or stage"
	}
	name, sign, rest := tag[:i], tag[i], tag[i+1:]
	if !artifactRE.MatchString(name) {
		return fmt.Sprintf("%q is not a model name GTO reads (lowercase letters, digits, "+
			"- and /, a folder written dir=name)", name)
	}
	if sign == '@' {
		v, _, _ := strings.Cut(strings.TrimSuffix(rest, "!"), "#")
		if CheckVersion(v) != nil && v != "deprecated" {
			return fmt.Sprintf("%q is not a version like v1.2.3", v)
		}
		return "expected NAME@vX.Y.Z, NAME@vX.Y.Z!, NAME@deprecated, optionally with #N"
	}
	parts := strings.Split(rest, "#")
	if stage := strings.TrimSuffix(parts[0], "!"); CheckStageName(stage) != nil {
		return fmt.Sprintf("%q is not a stage name GTO reads (lowercase letters, digits, - and /)",
			stage)
	}
	return "expected NAME#STAGE#N or NAME#STAGE!#N with N a number"
}
