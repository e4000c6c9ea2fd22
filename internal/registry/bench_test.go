//go:build unix

package registry

import (
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/git/gittest"
)

// benchTags writes a registry of models × perModel annotated tags through
// one `git fast-import`: per model, registrations on 50 commits and
// assignments to three stages in turn, each message a GTO subject plus a
// verdict and metrics as mlci writes them.
func benchTags(tb testing.TB, models, perModel int) string {
	tb.Helper()
	r := gittest.New(tb)
	var s strings.Builder
	const commits = 50
	for i := 1; i <= commits; i++ {
		msg := fmt.Sprintf("commit %d", i)
		fmt.Fprintf(&s, "commit refs/heads/main\nmark :%d\ncommitter T <t@e> %d +0000\n"+
			"data %d\n%s\n\n", i, 1700000000+i, len(msg), msg)
	}
	stages := []string{"dev", "staging", "production"}
	for m := range models {
		name := fmt.Sprintf("model-%02d", m)
		counter := 0
		for i := range perModel {
			var tag, msg string
			if i%2 == 0 {
				tag = fmt.Sprintf("%s@v0.%d.0", name, i/2+1)
				msg = fmt.Sprintf("Registering artifact %s version v0.%d.0\n\nverdict: passed "+
					"(4 of 4 gates)\nmetrics: accuracy=0.87, log_loss=0.31\n", name, i/2+1)
			} else {
				counter++
				stage := stages[counter%len(stages)]
				tag = fmt.Sprintf("%s#%s#%d", name, stage, counter)
				msg = fmt.Sprintf("Assigning stage %s to artifact %s version v0.%d.0\n", stage,
					name, i/2+1)
			}
			fmt.Fprintf(&s, "tag %s\nfrom :%d\ntagger T <t@e> %d +0000\ndata %d\n%s\n", tag,
				i/2%commits+1, 1700001000+m*perModel+i, len(msg), msg)
		}
	}
	cmd := exec.Command("git", "-C", r.Dir, "fast-import", "--quiet")
	cmd.Stdin = strings.NewReader(s.String())
	out, err := cmd.CombinedOutput()
	require.NoError(tb, err, "git fast-import: %s", out)
	return r.Dir
}

// BenchmarkRead reads a registry of 2,000 tags (20 models × 100): one
// `git for-each-ref` and the resolution of versions and stages.
func BenchmarkRead(b *testing.B) {
	repo := git.Repo{Dir: benchTags(b, 20, 100)}
	reg, err := Read(b.Context(), repo)
	require.NoError(b, err)
	require.Len(b, reg.Models, 20)
	require.Empty(b, reg.Warnings)

	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if _, err := Read(b.Context(), repo); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

// cpuTime returns the user and system time of this process and of its
// children (git), which, unlike the wall time, a busy machine leaves alone.
func cpuTime() time.Duration {
	var total time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return total
}

// reportCPU reports the CPU time per operation since start, in ms.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkResolve is Read without git: parsing the 2,000 refs and
// resolving the stages, to tell mlci's share from git's.
func BenchmarkResolve(b *testing.B) {
	refs, err := git.Repo{Dir: benchTags(b, 20, 100)}.Tags(b.Context(), "")
	require.NoError(b, err)

	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		bl := newBuilder(len(refs))
		for _, ref := range refs {
			bl.add(ref)
		}
		bl.finish()
	}
	reportCPU(b, start)
}
