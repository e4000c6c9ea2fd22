package registry

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tag  string
		want parsed
		ok   bool
	}{
		{"rf@v1.2.3", parsed{action: ActionRegister, model: "rf", version: "v1.2.3"}, true},
		{"rf@v1.2.3-rc.1+build.5", parsed{action: ActionRegister, model: "rf",
			version: "v1.2.3-rc.1+build.5"}, true},
		{"rf@v1.2.3#4", parsed{action: ActionRegister, model: "rf", version: "v1.2.3",
			counter: 4}, true},
		{"rf@v1.2.3!", parsed{action: ActionDeregister, model: "rf", version: "v1.2.3"}, true},
		{"rf@v1.2.3!#7", parsed{action: ActionDeregister, model: "rf", version: "v1.2.3",
			counter: 7}, true},
		{"rf#prod#3", parsed{action: ActionAssign, model: "rf", stage: "prod", counter: 3}, true},
		{"rf#prod", parsed{action: ActionAssign, model: "rf", stage: "prod"}, true},
		{
			"rf#prod!#4",
			parsed{action: ActionUnassign, model: "rf", stage: "prod", counter: 4},
			true,
		},
		{"rf@deprecated", parsed{action: ActionDeprecate, model: "rf"}, true},
		{"rf@deprecated#9", parsed{action: ActionDeprecate, model: "rf", counter: 9}, true},
		{"models=churn@v0.1.0", parsed{action: ActionRegister, model: "models:churn",
			version: "v0.1.0"}, true},
		{"a/b.c_d=x-y/z#dev#12", parsed{action: ActionAssign, model: "a/b.c_d:x-y/z",
			stage: "dev", counter: 12}, true},
		{"rf@created", parsed{}, false},
		{"rf@1.2.3", parsed{}, false},
		{"Rf@v1.2.3", parsed{}, false},
		{"rf#Prod#1", parsed{}, false},
		{"rf#prod#x", parsed{}, false},
		{"rf-@v1.0.0", parsed{}, false},
		{"v1.0.0", parsed{}, false},
		{"rf@v01.2.3", parsed{}, false},
	}
	for _, tt := range tests {
		got, ok := parseTag(tt.tag)
		assert.Equal(t, tt.ok, ok, tt.tag)
		assert.Equal(t, tt.want, got, tt.tag)
		if ok {
			assert.Equal(t, tt.tag, tagName(got.action, got.model, got.version, got.stage,
				got.counter), "round trip")
		}
	}
}

// gtoTagRE is GTO's tag grammar (gto/constants.py, tag_re) in Go's syntax.
var gtoTagRE = regexp.MustCompile(`^(?P<artifact>` + artifactInTag + `)` +
	`(?:(?:#(?P<stage>` + namePattern + `)|@(?P<version>v` + semverPattern + `))(?P<cancel>!?)` +
	`|@(?:(?P<deprecated>deprecated)|(?P<created>created)))` +
	`(?:#(?P<counter>[0-9]+))?$`)

// TestParseTagMatchesGTOGrammar checks the hand-written parser against
// GTO's regular expression on names built from pieces, good and bad.
func TestParseTagMatchesGTOGrammar(t *testing.T) {
	t.Parallel()
	names := []string{"rf", "models=rf", "a/b=c-d", "Rf", "rf-", "=rf", "a:b", "x_y"}
	middles := []string{"@v1.2.3", "@v1.2.3!", "@v1.2.3-rc.1+b.2", "@v1.2", "@1.2.3",
		"@deprecated", "@deprecated!", "@created", "#prod", "#prod!", "#Prod", "#p/q", "#",
		"@", "#prod#", "@v1.2.3#"}
	suffixes := []string{"", "#1", "#042", "#x", "#", "#1#2", "!"}
	for _, n := range names {
		for _, m := range middles {
			for _, sfx := range suffixes {
				tag := n + m + sfx
				sub := gtoTagRE.FindStringSubmatch(tag)
				want := sub != nil && sub[gtoTagRE.SubexpIndex("created")] == ""
				_, ok := parseTag(tag)
				assert.Equal(t, want, ok, tag)
			}
		}
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	require.NoError(t, CheckModelName("churn"))
	require.NoError(t, CheckModelName("models:churn-v2"))
	require.Error(t, CheckModelName("churn_model"))
	require.Error(t, CheckModelName("Churn"))
	require.Error(t, CheckModelName("a:b:c"))
	require.NoError(t, CheckStageName("production"))
	require.Error(t, CheckStageName("Production"))
	require.NoError(t, CheckVersion("v1.0.0"))
	require.Error(t, CheckVersion("1.0.0"))
	require.Error(t, CheckVersion("v1.0"))
}

func TestSemver(t *testing.T) {
	t.Parallel()
	order := []string{"v0.0.1", "v0.1.0-alpha", "v0.1.0-alpha.1", "v0.1.0-alpha.beta",
		"v0.1.0-beta.2", "v0.1.0-beta.11", "v0.1.0-rc.1", "v0.1.0", "v0.1.1", "v1.0.0", "v10.0.0"}
	for i := 1; i < len(order); i++ {
		a, okA := parseSemver(order[i-1])
		b, okB := parseSemver(order[i])
		require.True(t, okA && okB)
		assert.Equal(t, -1, compareSemver(a, b), "%s < %s", order[i-1], order[i])
		assert.Equal(t, 1, compareSemver(b, a))
	}
	a, _ := parseSemver("v1.0.0+x")
	b, _ := parseSemver("v1.0.0+y")
	assert.Equal(t, 0, compareSemver(a, b), "build metadata does not count")

	s, _ := parseSemver("v1.4.2-rc.1")
	for kind, want := range map[string]string{"": "v1.5.0", BumpMinor: "v1.5.0",
		BumpMajor: "v2.0.0", BumpPatch: "v1.4.3"} {
		got, err := bump(s, kind)
		require.NoError(t, err)
		assert.Equal(t, want, got, kind)
	}
	_, err := bump(s, "huge")
	require.Error(t, err)
}

func TestLooksLikeOursAndDiagnose(t *testing.T) {
	t.Parallel()
	known := map[string]bool{"churn": true}
	tests := map[string]bool{
		"churn#Prod#1": true, "Churn@v1.0.0": true, "churn@1.0.0": true,
		"x@deprecated!": true, "release-1.0": false, "@scope/pkg@1.2.3": false,
		"v2.0.0": false, "pkg@latest": false,
	}
	for tag, want := range tests {
		assert.Equal(t, want, looksLikeOurs(tag, known), tag)
	}
	assert.Contains(t, diagnose("Churn@v1.0.0"), `"Churn" is not a model name`)
	assert.Contains(t, diagnose("churn@1.0.0"), `"1.0.0" is not a version`)
	assert.Contains(t, diagnose("churn#Prod#1"), `"Prod" is not a stage name`)
	assert.Contains(t, diagnose("churn#prod#x"), "N a number")
}
