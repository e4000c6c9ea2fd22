package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain words 1.5", "plain words 1.5"},
		{"a|b", `a\|b`},
		{"`code`", "\\`code\\`"},
		{"*bold* _it_ ~s~ [l](u) ![i](u)", `\*bold\* \_it\_ \~s\~ \[l\](u) \!\[i\](u)`},
		{"<script>&amp;", "&lt;script&gt;&amp;amp;"},
		{"line\nbreak\r\nand\ttab", "line break  and tab"},
		{"@octocat", "@\u200doctocat"},
		{"fixes #12", "fixes #\u200d12"},
		{`back\slash $math$`, `back\\slash \$math\$`},
		{"<!-- mlci:report key=x -->", "&lt;\\!-- mlci:report key=x --&gt;"},
		{"bell\a", "bell"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, Markdown(tc.in), "Markdown(%q)", tc.in)
	}
}

func TestCode(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"params.yaml", "`params.yaml`"},
		{"", "` `"},
		{"a`b", "``a`b``"},
		{"`x`", "`` `x` ``"},
		{"a ``` b", "````a ``` b````"},
		{"two\nlines", "`two lines`"},
		{"@admin", "`@admin`"},
		{"a|b", `a\|b`},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, Code(tc.in), "Code(%q)", tc.in)
	}
}

func TestFence(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "```\nplain\n```", Fence("", "plain\n"))
	assert.Equal(t, "````go\na\n```\nb\n````", Fence("go", "a\n```\nb"))
	assert.Equal(t, "```js\nx\n```", Fence("js\n```", "x"))
	assert.Equal(t, "```\nwindows\nline\n```", Fence("", "windows\r\nline\r\n"))
}

func TestInlineHTML(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "&lt;/summary&gt; @\u200dall #\u200d1 &amp; a_b",
		InlineHTML("</summary>\n@all #1 & a_b"))
}

func TestURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://github.com/o/r/actions/runs/1", "https://github.com/o/r/actions/runs/1"},
		{" http://gitlab.example/p/-/jobs/2 ", "http://gitlab.example/p/-/jobs/2"},
		{"https://e.com/a) [x](http://evil", "https://e.com/a%29%20%5Bx%5D%28http://evil"},
		{"javascript:alert(1)", ""},
		{"/relative/path", ""},
		{"", ""},
		{"https://", ""},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, URL(tc.in), "URL(%q)", tc.in)
	}
}

func TestHTML(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "&lt;b title=&#34;x&#34;&gt;&amp;&#39;", HTML("<b title=\"x\">&'\x00"))
}
