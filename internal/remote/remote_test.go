package remote_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/pipeline/cache"
	"github.com/mlci-dev/mlci/internal/pipeline/digest"
	"github.com/mlci-dev/mlci/internal/remote"
)

func minioList() minio.ListObjectsOptions { return minio.ListObjectsOptions{Recursive: true} }

func TestParseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, bucket, prefix, err string
	}{
		{url: "s3://models", bucket: "models"},
		{url: "s3://models/", bucket: "models"},
		{url: "s3://models/team/cache/", bucket: "models", prefix: "team/cache"},
		{url: "s3://models/a/../b", bucket: "models", prefix: "b"},
		{url: "gs://models/x", err: "expected s3://bucket/prefix"},
		{url: "models/x", err: "expected s3://bucket/prefix"},
		{url: "s3:///x", err: "expected s3://bucket/prefix"},
		{url: "s3://key:secret@models/x", err: "without credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			bucket, prefix, err := remote.ParseURL(tt.url)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				assert.NotContains(t, err.Error(), "secret")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.bucket, bucket)
			assert.Equal(t, tt.prefix, prefix)
		})
	}
}

func TestOpenRejectsBadConfiguration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  config.Remote
		env  map[string]string
		err  string
	}{
		{name: "url", cfg: config.Remote{URL: "https://bucket"}, err: "expected s3://"},
		{name: "endpoint path", cfg: config.Remote{URL: "s3://b", Endpoint: "http://h:1/x"},
			err: "without a path"},
		{name: "endpoint scheme", cfg: config.Remote{URL: "s3://b", Endpoint: "ftp://h"},
			err: "expected http(s)://host"},
		{name: "env endpoint", cfg: config.Remote{URL: "s3://b"},
			env: map[string]string{"AWS_ENDPOINT_URL_S3": "ftp://h"}, err: "ftp://h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := remote.Open(tt.cfg, remote.Options{Getenv: func(k string) string {
				return tt.env[k]
			}})
			require.ErrorContains(t, err, tt.err)
			assert.Equal(t, exit.Usage, exit.Code(err))
		})
	}
}

func TestCredentialsFromProfile(t *testing.T) {
	t.Parallel()
	s := server(t)
	bucket, err := s.Bucket(t.Context())
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "credentials")
	require.NoError(t, os.WriteFile(file, []byte("[default]\naws_access_key_id = wrong\n"+
		"aws_secret_access_key = wrong\n\n[ci]\naws_access_key_id = "+s.AccessKey+
		"\naws_secret_access_key = "+s.SecretKey+"\n"), 0o600))
	c, sums := fill(t, "weights")

	for profile, ok := range map[string]bool{"ci": true, "": false} {
		env := map[string]string{"AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": profile,
			"AWS_ENDPOINT_URL": s.Endpoint, "AWS_REGION": "us-east-1"}
		r, err := remote.Open(config.Remote{URL: "s3://" + bucket},
			remote.Options{Getenv: func(k string) string { return env[k] }, Attempts: 1})
		require.NoError(t, err)
		err = r.Push(t.Context(), c, sums)
		if ok {
			require.NoError(t, err, "profile %q", profile)
			continue
		}
		require.Error(t, err, "the default profile's keys are wrong")
		assert.NotContains(t, err.Error(), s.SecretKey)
	}
}

// TestCredentialsFromAContainerEndpoint takes the keys from a container
// credentials endpoint, as ECS and CodeBuild give them, answering in the
// endpoint's documented form.
func TestCredentialsFromAContainerEndpoint(t *testing.T) {
	s := server(t)
	bucket, err := s.Bucket(t.Context())
	require.NoError(t, err)
	var asked atomic.Int32
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		assert.Equal(t, "Bearer task-token", r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"AccessKeyId": s.AccessKey, "SecretAccessKey": s.SecretKey, "Token": "",
			"Expiration": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		})
	}))
	defer endpoint.Close()
	// The client library reads these two from the process's environment.
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.URL+"/v2/credentials")
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer task-token")
	env := map[string]string{
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": endpoint.URL + "/v2/credentials",
		"AWS_ENDPOINT_URL":                   s.Endpoint, "AWS_REGION": "us-east-1",
	}
	var logs strings.Builder
	r, err := remote.Open(config.Remote{URL: "s3://" + bucket}, remote.Options{
		Getenv: func(k string) string { return env[k] }, Attempts: 1,
		Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	require.NoError(t, err)
	c, sums := fill(t, "weights")

	require.NoError(t, r.Push(t.Context(), c, sums))
	assert.Positive(t, asked.Load())
	assert.Contains(t, logs.String(), "credentials=\"container credentials endpoint\"")
	assert.NotContains(t, logs.String(), s.SecretKey)
}

func TestPushPullRoundTrip(t *testing.T) {
	t.Parallel()
	s := server(t)
	r, bucket := open(t, s, remote.Options{})
	c, sums := fill(t, "weights", "metrics")
	dirInfo := saveDir(t, c, map[string]string{"train.csv": "a\n1\n", "sub/test.csv": "a\n2\n"})
	all := append(sums, dirInfo.MD5)

	require.NoError(t, r.Push(t.Context(), c, all))
	assert.Equal(t, 5, r.Stats().Uploaded, "two files, a directory of two and its manifest")
	got := keys(t, s, bucket)
	assert.Contains(t, got, "team/cache/files/md5/"+sums[0][:2]+"/"+sums[0][2:],
		"DVC's remote layout")
	assert.Contains(t, got, "team/cache/files/md5/"+dirInfo.MD5[:2]+"/"+dirInfo.MD5[2:])

	require.NoError(t, r.Push(t.Context(), c, all))
	assert.Equal(t, 5, r.Stats().Uploaded, "objects are immutable: nothing is sent again")
	assert.Equal(t, 5, r.Stats().Present)

	fresh := cache.Open(filepath.Join(t.TempDir(), "cache"))
	require.NoError(t, r.Pull(t.Context(), fresh, all))
	for _, sum := range all {
		assert.True(t, fresh.Has(sum), sum)
	}
	dst := filepath.Join(t.TempDir(), "features")
	require.NoError(t, fresh.Restore(dst, dirInfo))
	b, err := os.ReadFile(filepath.Join(dst, "sub", "test.csv"))
	require.NoError(t, err)
	assert.Equal(t, "a\n2\n", string(b))
}

// saveDir saves a directory with the given files into c.
func saveDir(t *testing.T, c *cache.Cache, files map[string]string) digest.Info {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dir")
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	info, entries, err := (&digest.Hasher{}).Dir(dir, digest.MD5)
	require.NoError(t, err)
	require.NoError(t, c.Save(dir, info, entries))
	return info
}

func TestPullRejectsCorruptAndMissingObjects(t *testing.T) {
	t.Parallel()
	s := server(t)
	r, bucket := open(t, s, remote.Options{})
	c, sums := fill(t, "weights")
	require.NoError(t, r.Push(t.Context(), c, sums))
	key := "team/cache/files/md5/" + sums[0][:2] + "/" + sums[0][2:]
	_, err := s.Client().PutObject(t.Context(), bucket, key, strings.NewReader("bit rot"), 7,
		minio.PutObjectOptions{})
	require.NoError(t, err)

	fresh := cache.Open(filepath.Join(t.TempDir(), "cache"))
	err = r.Pull(t.Context(), fresh, sums)
	require.ErrorIs(t, err, remote.ErrCorrupt)
	assert.Contains(t, err.Error(), sums[0])
	assert.False(t, fresh.Has(sums[0]), "a corrupt object never enters the cache")
	leftovers, _ := filepath.Glob(filepath.Join(fresh.Dir(), "files", "md5", "*", "*"))
	assert.Empty(t, leftovers, "nor does its temporary file stay")

	err = r.Pull(t.Context(), fresh, []string{strings.Repeat("0", 32)})
	require.ErrorIs(t, err, remote.ErrNotFound)
	err = r.Pull(t.Context(), fresh, []string{"../../etc/passwd"})
	require.ErrorContains(t, err, "not an md5")
}

func TestPushResumesAfterAKilledUpload(t *testing.T) {
	t.Parallel()
	s := server(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	kill := newHook(func(n int64, req *http.Request) {
		if req.Method == http.MethodPut && n > 80 {
			cancel()
		}
	})
	r, bucket := open(t, s, remote.Options{Transport: kill, Workers: 4})
	c, sums := fill(t, many(200)...)

	require.Error(t, r.Push(ctx, c, sums), "the push is killed half-way")
	sent := len(keys(t, s, bucket))
	assert.Greater(t, sent, 0)
	assert.Less(t, sent, 200)

	again := openBucket(t, s, bucket, remote.Options{})
	require.NoError(t, again.Push(t.Context(), c, sums))
	st := again.Stats()
	// A request cut off by the kill may still land after the listing.
	assert.LessOrEqual(t, st.Uploaded, 200-sent, "only what is missing is sent")
	assert.GreaterOrEqual(t, st.Present, sent, "what was sent stays")
	assert.Equal(t, 200, st.Uploaded+st.Present)
	assert.Len(t, keys(t, s, bucket), 200)
}

// TestPushResumesAnUnfinishedMultipartUpload sends a 24 MiB object in five
// parts while the server refuses part 4: the push's own retry, and then a
// later push, resume the upload and send part 4 alone.
func TestPushResumesAnUnfinishedMultipartUpload(t *testing.T) {
	t.Parallel()
	s := server(t)
	big := make([]byte, 24<<20)
	_, _ = rand.Read(big)
	c, sums := fill(t, string(big))
	refuse := &partCounter{base: http.DefaultTransport.(*http.Transport).Clone(), refuse: "4"}
	r, bucket := open(t, s, remote.Options{Transport: refuse, PartSize: 5 << 20, Attempts: 2})

	require.Error(t, r.Push(t.Context(), c, sums))
	assert.Empty(t, keys(t, s, bucket), "an unfinished upload is no object")
	first := refuse.sent()
	for _, n := range []string{"1", "2", "3"} {
		assert.Equal(t, 1, first[n], "part %s is sent once: the retry resumes the upload", n)
	}
	assert.Equal(t, 2, first["4"], "part 4 is tried on each attempt")

	count := &partCounter{base: http.DefaultTransport.(*http.Transport).Clone()}
	again := openBucket(t, s, bucket, remote.Options{Transport: count, PartSize: 5 << 20})
	require.NoError(t, again.Push(t.Context(), c, sums))
	second := count.sent()
	assert.Equal(t, 1, second["4"])
	// After part 4 is refused no other part is started, so part 5 is sent
	// by whichever push got to it, once.
	assert.Equal(t, 1, first["5"]+second["5"], "part 5 is sent once in all")
	assert.Len(t, second, 1+second["5"], "the next push sends only the missing parts")

	fresh := cache.Open(filepath.Join(t.TempDir(), "cache"))
	require.NoError(t, again.Pull(t.Context(), fresh, sums))
	got, err := os.ReadFile(fresh.ObjectPath(sums[0]))
	require.NoError(t, err)
	assert.True(t, bytes.Equal(big, got))
}

// partCounter counts the parts sent, by part number, and answers a part
// numbered refuse with S3's IncompleteBody error instead of sending it.
type partCounter struct {
	base   http.RoundTripper
	refuse string

	mu    sync.Mutex
	parts map[string]int
}

func (p *partCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	n := req.URL.Query().Get("partNumber")
	if req.Method != http.MethodPut || n == "" {
		return p.base.RoundTrip(req)
	}
	p.mu.Lock()
	if p.parts == nil {
		p.parts = map[string]int{}
	}
	p.parts[n]++
	p.mu.Unlock()
	if n != p.refuse {
		return p.base.RoundTrip(req)
	}

	if req.Body != nil {
		_ = req.Body.Close()
	}
	body := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Error><Code>IncompleteBody` +
		`</Code><Message>You did not provide the number of bytes specified by the ` +
		`Content-Length HTTP header.</Message></Error>`
	return &http.Response{
		StatusCode: http.StatusBadRequest, Status: "400 Bad Request", Proto: "HTTP/1.1",
		ProtoMajor: 1, ProtoMinor: 1, Request: req, ContentLength: int64(len(body)),
		Header: http.Header{"Content-Type": {"application/xml"}},
		Body:   io.NopCloser(strings.NewReader(body)),
	}, nil
}

func (p *partCounter) sent() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.parts)
}

func TestRunCacheEntries(t *testing.T) {
	t.Parallel()
	s := server(t)
	r, _ := open(t, s, remote.Options{})
	c, sums := fill(t, "weights")
	key := strings.Repeat("ab", 32)
	fresh := cache.Open(filepath.Join(t.TempDir(), "cache"))

	require.NoError(t, r.PullRun(t.Context(), fresh, key), "no entry is not an error")
	run, err := fresh.ReadRun(key)
	require.NoError(t, err)
	assert.Nil(t, run)

	first := &cache.Run{Stage: "train", Seconds: 61, Created: time.Unix(1.7e9, 0).UTC(),
		Outs: []cache.RunOut{{Path: "model.pkl", Info: digest.Info{MD5: sums[0], Size: 7}}}}
	require.NoError(t, c.SaveRun(key, first))
	require.NoError(t, r.PushRun(t.Context(), c, key))
	second := *first
	second.Seconds = 99
	require.NoError(t, c.SaveRun(key, &second))
	require.NoError(t, r.PushRun(t.Context(), c, key))

	require.NoError(t, r.PullRun(t.Context(), fresh, key))
	run, err = fresh.ReadRun(key)
	require.NoError(t, err)
	assert.Equal(t, first, run, "the first entry pushed for a key stays")
	require.ErrorContains(t, r.PullRun(t.Context(), fresh, "../x"), "not a run key")
}

// TestFetcher fetches single objects, as a baseline's outputs are read on a
// fresh runner: a directory's manifest comes without its files.
func TestFetcher(t *testing.T) {
	t.Parallel()
	s := server(t)
	r, bucket := open(t, s, remote.Options{})
	c, sums := fill(t, "predictions")
	dirInfo := saveDir(t, c, map[string]string{"a.csv": "a\n1\n", "b.csv": "b\n2\n"})
	require.NoError(t, r.Push(t.Context(), c, append(sums, dirInfo.MD5)))

	fetch := remote.Fetcher(func() (*remote.Remote, error) { return r, nil })
	dir := filepath.Join(t.TempDir(), "cache")
	fresh := cache.Open(dir)

	require.NoError(t, fetch(t.Context(), dir, sums[0]))
	require.NoError(t, fetch(t.Context(), dir, dirInfo.MD5))
	assert.True(t, fresh.Has(sums[0]))
	_, err := os.Stat(fresh.ObjectPath(dirInfo.MD5))
	require.NoError(t, err, "the manifest")
	assert.False(t, fresh.Has(dirInfo.MD5), "and not the directory's files")
	require.NoError(t, fetch(t.Context(), dir, sums[0]), "a second fetch finds it in place")

	err = fetch(t.Context(), dir, "0123456789abcdef0123456789abcdef")
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.ErrorIs(t, err, remote.ErrNotFound)

	env := s.Env()
	refused, err := remote.Open(config.Remote{URL: "s3://" + bucket + "/team/cache"},
		remote.Options{Getenv: func(k string) string {
			if k == "AWS_SECRET_ACCESS_KEY" {
				return "wrong"
			}
			return env[k]
		}})
	require.NoError(t, err)
	bad := remote.Fetcher(func() (*remote.Remote, error) { return refused, nil })
	err = bad(t.Context(), dir, "fedcba9876543210fedcba9876543210")
	require.Error(t, err)
	assert.NotErrorIs(t, err, fs.ErrNotExist, "a refusal is not a missing object")
}
