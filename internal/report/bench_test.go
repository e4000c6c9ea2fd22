package report

import (
	"strings"
	"testing"
)

// BenchmarkRender renders the full report (five charts, every section) in
// each format.
func BenchmarkRender(b *testing.B) {
	d := fullData()
	for _, format := range Formats {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Render(format, d, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRenderHuge renders a report too long for a GitHub comment (4,000
// changed files, 300 params, two training curves of 5,000 epochs), which the
// limit shrinks by rendering again without the least important details.
func BenchmarkRenderHuge(b *testing.B) {
	d := hugeData()
	for _, tc := range []struct {
		name   string
		format string
		limit  int
	}{{"md-limited", MD, GitHubLimit}, {"md-unlimited", MD, 0}, {"html", HTMLPage, 0}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Render(tc.format, d, Options{Limit: tc.limit}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLTTB downsamples a 100,000-point curve to 200 points.
func BenchmarkLTTB(b *testing.B) {
	ps := points(history("a", 100_000, 0.2))
	b.ReportAllocs()
	for b.Loop() {
		lttb(ps, 200)
	}
}

// BenchmarkMarkdown escapes a 10,000-character value full of syntax.
func BenchmarkMarkdown(b *testing.B) {
	s := strings.Repeat("a|b`c`<d> @e #1 *f* ", 500)
	b.ReportAllocs()
	for b.Loop() {
		Markdown(s)
	}
}
