package remote_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/pipeline/cache"
	"github.com/mlci-dev/mlci/internal/pipeline/digest"
	"github.com/mlci-dev/mlci/internal/remote"
	"github.com/mlci-dev/mlci/internal/remote/s3test"
)

// srv is the versitygw the tests share; nil when it is not installed.
var srv *s3test.Server

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "mlci-remote-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)

	srv, err = s3test.Start(dir)
	switch {
	case errors.Is(err, s3test.ErrNoBinary):
		fmt.Fprintln(os.Stderr, "remote tests skip the S3 server:", err)
	case err != nil:
		fmt.Fprintln(os.Stderr, "starting versitygw:", err)
		return 1
	default:
		defer srv.Close()
	}
	return m.Run()
}

// server returns the shared server, skipping the test without one.
func server(t *testing.T) *s3test.Server {
	t.Helper()
	if srv == nil {
		t.Skip("versitygw is not installed; scripts/versitygw.sh install")
	}
	return srv
}

// open returns a remote on a fresh bucket of s.
func open(t *testing.T, s *s3test.Server, opts remote.Options) (*remote.Remote, string) {
	t.Helper()
	bucket, err := s.Bucket(t.Context())
	require.NoError(t, err)
	return openBucket(t, s, bucket, opts), bucket
}

func openBucket(t *testing.T, s *s3test.Server, bucket string, opts remote.Options) *remote.Remote {
	t.Helper()
	env := s.Env()
	opts.Getenv = func(k string) string { return env[k] }
	r, err := remote.Open(config.Remote{URL: "s3://" + bucket + "/team/cache"}, opts)
	require.NoError(t, err)
	return r
}

// fill saves files with the given contents into a new local cache and
// returns the cache and the files' md5s.
func fill(t testing.TB, contents ...string) (*cache.Cache, []string) {
	t.Helper()
	dir := t.TempDir()
	c := cache.Open(filepath.Join(dir, "cache"))
	var sums []string
	for i, content := range contents {
		src := filepath.Join(dir, fmt.Sprintf("f%d", i))
		require.NoError(t, os.WriteFile(src, []byte(content), 0o644))
		info, err := digest.File(src)
		require.NoError(t, err)
		require.NoError(t, c.Save(src, info, nil))
		sums = append(sums, info.MD5)
	}
	return c, sums
}

// many returns n distinct small contents.
func many(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("object %d\n", i)
	}
	return out
}

// hook is a transport that calls before on every request.
type hook struct {
	base   http.RoundTripper
	n      atomic.Int64
	before func(n int64, req *http.Request)
}

func (h *hook) RoundTrip(req *http.Request) (*http.Response, error) {
	h.before(h.n.Add(1), req)
	return h.base.RoundTrip(req)
}

func newHook(before func(n int64, req *http.Request)) *hook {
	return &hook{base: http.DefaultTransport.(*http.Transport).Clone(), before: before}
}

// keys lists the bucket's object keys.
func keys(t *testing.T, s *s3test.Server, bucket string) []string {
	t.Helper()
	var out []string
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	for o := range s.Client().ListObjects(ctx, bucket, minioList()) {
		require.NoError(t, o.Err)
		out = append(out, o.Key)
	}
	return out
}
