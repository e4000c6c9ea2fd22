package remote_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/pipeline/cache"
	"github.com/mlci-dev/mlci/internal/pipeline/digest"
	"github.com/mlci-dev/mlci/internal/remote"
	"github.com/mlci-dev/mlci/internal/remote/s3test"
)

// TestTransfersSurviveARestart restarts the server in the middle of a push
// and of a pull; retries carry both through.
func TestTransfersSurviveARestart(t *testing.T) {
	t.Parallel()
	server(t)
	own, err := s3test.Start(t.TempDir())
	require.NoError(t, err)
	defer own.Close()

	var once [2]sync.Once
	var restarted sync.WaitGroup
	restartAt := func(phase int, method string) func(int64, *http.Request) {
		return func(n int64, req *http.Request) {
			if req.Method != method || n < 60 {
				return
			}
			once[phase].Do(func() {
				restarted.Go(func() { assert.NoError(t, own.Restart(300*time.Millisecond)) })
			})
		}
	}
	c, sums := fill(t, many(300)...)

	r, bucket := open(t, own, remote.Options{Transport: newHook(restartAt(0, http.MethodPut))})
	require.NoError(t, r.Push(t.Context(), c, sums))
	restarted.Wait()
	assert.Len(t, keys(t, own, bucket), 300)

	pull := openBucket(t, own, bucket, remote.Options{
		Transport: newHook(restartAt(1, http.MethodGet))})
	fresh := cache.Open(filepath.Join(t.TempDir(), "cache"))
	require.NoError(t, pull.Pull(t.Context(), fresh, sums))
	restarted.Wait()
	for _, sum := range sums {
		require.True(t, fresh.Has(sum), sum)
	}
}

// TestConcurrentRestores has two jobs restore the same run-cache entry at
// once, into caches of their own and into one shared cache.
func TestConcurrentRestores(t *testing.T) {
	t.Parallel()
	s := server(t)
	r, bucket := open(t, s, remote.Options{})
	c, sums := fill(t, many(100)...)
	dirInfo := saveDir(t, c, map[string]string{"a.csv": strings.Repeat("x,1\n", 5000)})
	key := strings.Repeat("cd", 32)
	outs := []cache.RunOut{{Path: "features", Info: dirInfo}}
	for i, sum := range sums {
		path := "f" + string(rune('a'+i%26))
		outs = append(outs, cache.RunOut{Path: path, Info: digest.Info{MD5: sum}})
	}
	require.NoError(t, c.SaveRun(key, &cache.Run{Stage: "train", Outs: outs}))
	require.NoError(t, r.Push(t.Context(), c, append(sums, dirInfo.MD5)))
	require.NoError(t, r.PushRun(t.Context(), c, key))

	shared := cache.Open(filepath.Join(t.TempDir(), "shared"))
	caches := []*cache.Cache{shared, shared,
		cache.Open(filepath.Join(t.TempDir(), "a")), cache.Open(filepath.Join(t.TempDir(), "b"))}
	var wg sync.WaitGroup
	errs := make([]error, len(caches))
	for i, into := range caches {
		job := openBucket(t, s, bucket, remote.Options{})
		wg.Go(func() {
			if errs[i] = job.PullRun(t.Context(), into, key); errs[i] != nil {
				return
			}
			run, err := into.ReadRun(key)
			if errs[i] = err; err != nil {
				return
			}
			var md5s []string
			for _, o := range run.Outs {
				md5s = append(md5s, o.MD5)
			}
			errs[i] = job.Pull(t.Context(), into, md5s)
		})
	}
	wg.Wait()

	for i, into := range caches {
		require.NoError(t, errs[i])
		for _, sum := range append(sums, dirInfo.MD5) {
			want, err := os.ReadFile(c.ObjectPath(sum))
			require.NoError(t, err)
			got, err := os.ReadFile(into.ObjectPath(sum))
			require.NoError(t, err)
			require.Equal(t, want, got, "job %d, object %s", i, sum)
		}
		run, err := into.LookupRun(key)
		require.NoError(t, err)
		require.NotNil(t, run, "job %d can restore the run", i)
	}
}
