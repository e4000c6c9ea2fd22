package report

import (
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests open the reports in a real browser: headless Chromium, with
// the mermaid package that `npm ci --prefix internal/report/testdata/mermaid`
// installs. They skip when either is missing.

// mermaidJS is the Mermaid bundle the chart test loads.
var mermaidJS = filepath.Join("testdata", "mermaid", "node_modules", "mermaid", "dist",
	"mermaid.min.js")

// chromium returns the browser's path, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("MLCI_CHROMIUM"), "chromium", "chromium-browser",
		"google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("headless Chromium not found (apt-get install chromium, or set MLCI_CHROMIUM)")
	return ""
}

// runChromium runs headless Chromium with args and returns its stdout.
func runChromium(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, chromium(t), append(base, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "chromium: %s", stderr.String())
	return string(out)
}

func fileURL(t *testing.T, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	require.NoError(t, err)
	return "file://" + filepath.ToSlash(abs)
}

func TestHTMLOpensInChromium(t *testing.T) {
	t.Parallel()
	chromium(t)
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := tc.data()
			page, err := Render(HTMLPage, d, tc.opts)
			require.NoError(t, err)
			path := filepath.Join(t.TempDir(), "report.html")
			require.NoError(t, os.WriteFile(path, page, 0o644))

			dom := runChromium(t, "--dump-dom", fileURL(t, path))
			assert.Contains(t, dom, `<h1 class="`+prepare(d).Verdict.State+`">`)
			assert.Contains(t, dom, "</footer>", "the page was not read to its end")
			assert.Equal(t, drawable(d), strings.Count(dom, "<svg "), "SVG charts in the DOM")
			assert.NotContains(t, dom, "<script", "a value became markup")
			assert.NotContains(t, dom, "<img", "a value became markup")

			if tc.name != "full" {
				return // one screenshot shows the page draws; the DOM checks the rest
			}
			shot := filepath.Join(t.TempDir(), "report.png")
			runChromium(t, "--screenshot="+shot, "--window-size=1024,2400", fileURL(t, path))
			fi, err := os.Stat(shot)
			require.NoError(t, err)
			assert.Greater(t, fi.Size(), int64(10_000), "the screenshot is blank")
		})
	}
}

// drawable counts the plots of d that become SVG charts.
func drawable(d *Data) int {
	n := 0
	v := newView(prepare(d), Options{}.withDefaults())
	for _, c := range v.Charts() {
		if c.SVG(numbers{4}, 200) != "" {
			n++
		}
	}
	return n
}

var mermaidBlock = regexp.MustCompile("(?s)```mermaid\n(.*?)\n```")

// mermaidBlocks are the charts of every golden case and of edge cases that
// only charts have, as the Markdown reports hold them.
func mermaidBlocks(t *testing.T) []string {
	t.Helper()
	data := []*Data{}
	for _, tc := range goldenCases {
		data = append(data, tc.data())
	}
	data = append(data, &Data{Plots: chartEdgeCases()})

	seen := map[string]bool{}
	var blocks []string
	for _, d := range data {
		md, err := Render(MD, d, Options{})
		require.NoError(t, err)
		for _, m := range mermaidBlock.FindAllStringSubmatch(string(md), -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				blocks = append(blocks, m[1])
			}
		}
	}
	return blocks
}

// chartEdgeCases are plots with negative values, a single category, long
// and hostile labels, and series of one repeated value.
func chartEdgeCases() []Plot {
	return []Plot{
		{Title: "Negative values", XLabel: "step", YLabel: "reward",
			Series: []Series{{Name: "a", X: []float64{-5, 0, 5}, Y: []float64{-1.5, 0, -0.25}}}},
		{Title: "One bar", Kind: Bar, Categories: []string{"only"},
			Series: []Series{{Name: "a", Y: []float64{-3}}}},
		{Title: `Quotes "and" #hashes; semicolons %% and ]brackets[ {braces}`,
			XLabel: "x ` y", YLabel: "<b>y</b>", Series: []Series{
				{Name: "flat", Y: []float64{2, 2, 2}},
				{Name: "tiny", Y: []float64{1e-9, 2e-9, 3e-9}}}},
		{Title: strings.Repeat("long title ", 30), Kind: Bar,
			Categories: []string{`a "b"`, "c, d", "e]f", strings.Repeat("x", 200)},
			Series: []Series{{Name: "b", Y: []float64{1, 2, 3, 4}},
				{Name: "c", Y: []float64{4, 3, 2}}}},
	}
}

func TestMermaidBlocksRenderInChromium(t *testing.T) {
	t.Parallel()
	chromium(t)
	if _, err := os.Stat(mermaidJS); err != nil {
		t.Skip("mermaid not installed: run npm ci --prefix internal/report/testdata/mermaid")
	}
	blocks := mermaidBlocks(t)
	require.GreaterOrEqual(t, len(blocks), 10)

	// The last block is broken on purpose: it proves a parse error is seen.
	js, err := json.Marshal(append(blocks, "xychart-beta\n  line [1, oops]"))
	require.NoError(t, err)
	page := strings.NewReplacer("MERMAID", fileURL(t, mermaidJS), "BLOCKS", string(js)).
		Replace(mermaidPage)
	path := filepath.Join(t.TempDir(), "mermaid.html")
	require.NoError(t, os.WriteFile(path, []byte(page), 0o644))

	dom := runChromium(t, "--virtual-time-budget=60000", "--allow-file-access-from-files",
		"--dump-dom", fileURL(t, path))
	m := regexp.MustCompile(`(?s)<pre id="result">(.*?)</pre>`).FindStringSubmatch(dom)
	require.NotNil(t, m, "no result in the page: %s", dom)

	var results []struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
		SVG   int    `json:"svg"`
	}
	require.NoError(t, json.Unmarshal([]byte(html.UnescapeString(m[1])), &results),
		"the page said: %s", m[1])
	require.Len(t, results, len(blocks)+1)
	assert.False(t, results[len(blocks)].OK, "the broken block passed")
	assert.NotEmpty(t, results[len(blocks)].Error)
	for i, r := range results[:len(blocks)] {
		assert.True(t, r.OK, "block %d failed: %s\n%s", i, r.Error, blocks[i])
		assert.Greater(t, r.SVG, 1000, "block %d drew nothing:\n%s", i, blocks[i])
	}
}

// mermaidPage parses and renders every block with Mermaid and writes the
// outcome into the page, where --dump-dom reads it.
const mermaidPage = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><script src="MERMAID"></script></head>
<body><pre id="result">pending</pre>
<script>
const blocks = BLOCKS;
(async () => {
  mermaid.initialize({startOnLoad: false, securityLevel: "strict"});
  const results = [];
  for (let i = 0; i < blocks.length; i++) {
    try {
      await mermaid.parse(blocks[i]);
      const out = await mermaid.render("chart" + i, blocks[i]);
      const failed = out.svg.includes("Syntax error");
      results.push({ok: !failed, svg: out.svg.length, error: failed ? "error diagram" : ""});
    } catch (e) {
      results.push({ok: false, svg: 0, error: String((e && e.message) || e)});
    }
  }
  document.getElementById("result").textContent = JSON.stringify(results);
})().catch(e => { document.getElementById("result").textContent = "fatal: " + e; });
</script></body></html>
`
