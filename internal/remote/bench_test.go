package remote_test

import (
	"crypto/rand"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/pipeline/cache"
	"github.com/mlci-dev/mlci/internal/remote"
)

// BenchmarkTransfer pushes to a fresh bucket and pulls into a fresh cache:
// 1,000 small objects, and one 256 MiB object (sent in parts).
func BenchmarkTransfer(b *testing.B) {
	s := srv
	if s == nil {
		b.Skip("versitygw is not installed; scripts/versitygw.sh install")
	}
	big := make([]byte, 256<<20)
	_, _ = rand.Read(big)
	cases := []struct {
		name     string
		contents []string
	}{
		{name: "1000-files", contents: many(1000)},
		{name: "256MiB", contents: []string{string(big)}},
	}
	for _, tc := range cases {
		c, sums := fill(b, tc.contents...)
		var size int64
		for _, s := range tc.contents {
			size += int64(len(s))
		}
		b.Run(tc.name+"/push", func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				bucket, err := s.Bucket(b.Context())
				require.NoError(b, err)
				r := openB(b, bucket)
				require.NoError(b, r.Push(b.Context(), c, sums))
			}
		})
		bucket, err := s.Bucket(b.Context())
		require.NoError(b, err)
		require.NoError(b, openB(b, bucket).Push(b.Context(), c, sums))
		b.Run(tc.name+"/pull", func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				fresh := cache.Open(filepath.Join(b.TempDir(), "cache"))
				require.NoError(b, openB(b, bucket).Pull(b.Context(), fresh, sums))
			}
		})
	}
}

func openB(b *testing.B, bucket string) *remote.Remote {
	b.Helper()
	env := srv.Env()
	cfg := config.Remote{URL: "s3://" + bucket + "/team/cache"}
	r, err := remote.Open(cfg, remote.Options{Getenv: func(k string) string { return env[k] }})
	require.NoError(b, err)
	return r
}
