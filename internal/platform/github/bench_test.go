package github

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/report"
)

// BenchmarkEvent reads a real pull_request payload into an event.
func BenchmarkEvent(b *testing.B) {
	r := newRun(b, workflowEnv(b, nil, "pull_request", "pull_request.opened.json"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.c.Event(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPublish updates the sticky comment among 230 others (three
// pages) and the check run, over loopback HTTP to the fake API, with the
// request checks against the API description included.
func BenchmarkPublish(b *testing.B) {
	f := newFake(b)
	for i := range 230 {
		f.seedComment(2, "octocat", "User", fmt.Sprintf("comment %d", i))
	}
	r := newRun(b, workflowEnv(b, f, "pull_request", "pull_request.opened.json"))
	ev, err := r.c.Event(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	reports := []*platform.Report{
		testReport("may be promoted", platform.Success), testReport("is blocked", platform.Failure),
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := r.c.Publish(b.Context(), ev, reports[i%2]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(f.count(opListComments)+f.count(opEditComment)+
		f.count(opCreateComment))/float64(i), "comment-requests/op")
}

// BenchmarkCommentBody cuts a 2 MiB report to a comment's size.
func BenchmarkCommentBody(b *testing.B) {
	md := strings.Repeat("| metric | 0.8731 | 0.8802 | +0.0071 | ▲ better |\n", 40000)
	mark := report.Marker("k")
	b.SetBytes(int64(len(md)))
	b.ReportAllocs()
	for b.Loop() {
		_ = commentBody(md, mark)
	}
}
