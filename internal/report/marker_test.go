package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMarker(t *testing.T) {
	t.Parallel()
	tests := []struct{ key, want string }{
		{"pr/churn", "<!-- mlci:report key=pr/churn -->"},
		{"ci.yml:train", "<!-- mlci:report key=ci.yml:train -->"},
		{"", "<!-- mlci:report key=default -->"},
		{"a -- > b", "<!-- mlci:report key=a_-___b -->"},
		{"x-->", "<!-- mlci:report key=x-_ -->"},
		{"--->", "<!-- mlci:report key=_ -->"},
		{"ünïcode key", "<!-- mlci:report key=_n_code_key -->"},
	}
	for _, tc := range tests {
		got := Marker(tc.key)
		assert.Equal(t, tc.want, got, "Marker(%q)", tc.key)
		inner := strings.TrimSuffix(strings.TrimPrefix(got, "<!--"), "-->")
		assert.NotContains(t, inner, "--"+">", "the key closes the comment")
		assert.NotContains(t, strings.TrimSpace(inner), "--", "HTML comments may not hold --")
	}
	assert.Len(t, SanitizeKey(strings.Repeat("k", 500)), maxKey)
}

func TestFindMarker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, key string
		ok              bool
	}{
		{"ours", "report\n\n" + Marker("pr/churn") + "\n", "pr/churn", true},
		{"none", "a comment by a person", "", false},
		{"last wins over a quoted one",
			"`" + Marker("forged") + "`\n" + Marker("real") + "\n", "real", true},
		{"unclosed", "<!-- mlci:report key=x", "", false},
		{"not sanitised", "<!-- mlci:report key=a b -->", "", false},
		{"empty", "<!-- mlci:report key= -->", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			key, ok := FindMarker(tc.body)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.key, key)
		})
	}
}

func TestFindMarkerInRenderedReports(t *testing.T) {
	t.Parallel()
	for _, tc := range goldenCases {
		md, err := Render(MD, tc.data(), tc.opts)
		assert.NoError(t, err)
		key, ok := FindMarker(string(md))
		assert.True(t, ok, tc.name)
		assert.Equal(t, SanitizeKey(tc.data().Key), key, tc.name)
	}
}
