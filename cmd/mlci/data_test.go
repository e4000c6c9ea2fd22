package main

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git/gittest"
)

// customersCSV is 500 rows whose amount is about mean.
func customersCSV(seed uint64, mean float64) string {
	r := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	b.WriteString("id,amount,plan\n")
	for i := range 500 {
		fmt.Fprintf(&b, "%d,%.2f,%s\n", i, mean+10*r.NormFloat64(), []string{"a", "b"}[r.IntN(2)])
	}
	return b.String()
}

// TestDataCheckReadsADvcTrackedBaseline checks data that the baseline
// tracks with DVC (dvc add: a .dvc file in git, the data in DVC's cache):
// the baseline comes from the cache, and the drift shows.
func TestDataCheckReadsADvcTrackedBaseline(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	base := customersCSV(1, 50)
	sum := md5.Sum([]byte(base))
	hash := hex.EncodeToString(sum[:])
	object := filepath.Join(repo.Dir, ".dvc", "cache", "files", "md5", hash[:2], hash[2:])
	require.NoError(t, os.MkdirAll(filepath.Dir(object), 0o755))
	require.NoError(t, os.WriteFile(object, []byte(base), 0o444))
	repo.CommitFiles("track the data with DVC", map[string]string{
		"dvc.yaml":   "stages:\n  noop:\n    cmd: \"true\"\n",
		"mlci.yaml":  "pipeline: dvc.yaml\ndata:\n  customers:\n    path: data/customers.csv\n",
		".gitignore": "data/customers.csv\n",
		"data/customers.csv.dvc": fmt.Sprintf("outs:\n- md5: %s\n  size: %d\n  hash: md5\n"+
			"  path: customers.csv\n", hash, len(base)),
	})
	repo.Git("checkout", "--quiet", "-b", "feature")
	repo.Write(map[string]string{"data/customers.csv": customersCSV(2, 80)})

	stdout, stderr, code := mlci(t, "-C", repo.Dir, "data", "check")

	require.Equal(t, exit.OK, code, stderr)
	assert.NotContains(t, stderr, "no baseline")
	assert.Regexp(t, `amount\s+Kolmogorov–Smirnov p\s+\S+\s+0\.05\s+yes`, stdout)
	assert.Regexp(t, `plan\s+chi-squared p\s+\S+\s+0\.05\s+no`, stdout)
}
