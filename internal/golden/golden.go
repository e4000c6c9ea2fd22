// Package golden compares what a test produced with a file under the test's
// testdata folder, and rewrites the file instead when the tests run with
// -update, so that an intended change of output is one command away.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Assert compares got with the file testdata/name (name may hold slashes),
// or writes got to it when the tests run with -update.
func Assert(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", filepath.FromSlash(name))
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}

	want, err := os.ReadFile(path)
	require.NoError(t, err, "reading the golden file; go test -update writes it")
	assert.Equal(t, string(want), string(got), "%s differs; go test -update rewrites it", path)
}
