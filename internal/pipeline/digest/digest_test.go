package digest_test

import (
	"crypto/md5"
	"encoding/hex"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/pipeline/digest"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")
	write(t, path, "hello\n")

	info, err := digest.File(path)
	require.NoError(t, err)
	assert.Equal(t, "b1946ac92492d2347c6235b4d2611184", info.MD5)
	assert.Equal(t, int64(6), info.Size)
	assert.False(t, info.IsDir())
	assert.False(t, info.IsExec)

	require.NoError(t, os.Chmod(path, 0o755))
	info, err = digest.File(path)
	require.NoError(t, err)
	assert.True(t, info.IsExec)
}

func TestLegacy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, content, want string
	}{
		{"text with CRLF", "a,b\r\n1,2\r\n", md5hex("a,b\n1,2\n")},
		{"text with LF", "a,b\n1,2\n", md5hex("a,b\n1,2\n")},
		{"binary keeps CRLF", "\x00\x01\r\n", md5hex("\x00\x01\r\n")},
		{"mostly non-text", strings.Repeat("\xff", 9) + "\r\n",
			md5hex(strings.Repeat("\xff", 9) + "\r\n")},
		{"empty", "", md5hex("")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := digest.Reader(strings.NewReader(tt.content), digest.LegacyMD5)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// pythonDirHash is DVC's recipe, run by Python itself.
const pythonDirHash = `
import hashlib, json, os, sys
root = sys.argv[1]
entries = []
for dirpath, dirs, files in os.walk(root):
    for name in files:
        path = os.path.join(dirpath, name)
        with open(path, "rb") as f:
            md5 = hashlib.md5(f.read()).hexdigest()
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        entries.append({"md5": md5, "relpath": rel})
entries.sort(key=lambda e: e["relpath"])
data = json.dumps(entries, sort_keys=True).encode("utf-8")
print(hashlib.md5(data).hexdigest() + ".dir")
`

func TestDirMatchesPython(t *testing.T) {
	t.Parallel()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	dir := t.TempDir()
	files := map[string]string{
		"a/b":              "1",
		"a-b/x":            "2", // sorts before a/b as a string, after it as a walk
		"data/train.csv":   "id,x\n1,2\n",
		"data/ünïcödé.txt": "u",
		"data/emoji 🎉.txt": "e",
		`q"uote\back.txt`:  "q",
		"tab\tname":        "t",
		"del\x7fname":      "d",
		"empty":            "",
	}
	for name, content := range files {
		write(t, filepath.Join(dir, name), content)
	}

	out, err := exec.Command(python, "-c", pythonDirHash, dir).Output()
	require.NoError(t, err)

	info, entries, err := (&digest.Hasher{Workers: 3}).Dir(dir, digest.MD5)
	require.NoError(t, err)
	assert.Equal(t, strings.TrimSpace(string(out)), info.MD5)
	assert.Equal(t, len(files), info.NFiles)
	assert.Len(t, entries, len(files))
	assert.Equal(t, "a-b/x", entries[0].RelPath)
}

func TestDirEmptyAndIgnored(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".git", "HEAD"), "ref")

	info, err := digest.Dir(dir)
	require.NoError(t, err)
	assert.Equal(t, md5hex("[]")+".dir", info.MD5)
	assert.Equal(t, 0, info.NFiles)
	assert.True(t, info.IsDir())
}

func TestManifestRoundTrip(t *testing.T) {
	t.Parallel()
	entries := []digest.Entry{{RelPath: "a/ü", MD5: "x"}, {RelPath: "b", MD5: "y"}}
	data := digest.Manifest(entries)
	assert.Equal(t, `[{"md5": "x", "relpath": "a/\u00fc"}, {"md5": "y", "relpath": "b"}]`,
		string(data))

	got, err := digest.ParseManifest(data)
	require.NoError(t, err)
	assert.Equal(t, entries, got)

	_, err = digest.ParseManifest([]byte(`[{"md5": "x", "relpath": "../etc/passwd"}]`))
	assert.Error(t, err)
}

// countingCache records what the hasher asks and answers from memory.
type countingCache struct {
	mu   sync.Mutex
	sums map[string]string
	puts int
}

func (c *countingCache) Get(path string, _ fs.FileInfo, _ string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.sums[path]
	return s, ok
}

func (c *countingCache) Put(path string, _ fs.FileInfo, _, sum string, _ time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sums[path] = sum
	c.puts++
}

func TestDirUsesStatCache(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i := range 20 {
		write(t, filepath.Join(dir, "d", string(rune('a'+i))), strings.Repeat("x", i))
	}
	c := &countingCache{sums: map[string]string{}}
	h := &digest.Hasher{Cache: c}

	first, _, err := h.Dir(dir, digest.MD5)
	require.NoError(t, err)
	assert.Equal(t, 20, c.puts)

	second, _, err := h.Dir(dir, digest.MD5)
	require.NoError(t, err)
	assert.Equal(t, 20, c.puts, "no file is hashed again")
	assert.Equal(t, first, second)
}

func BenchmarkFile(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big")
	data := make([]byte, 64<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	require.NoError(b, os.WriteFile(path, data, 0o644))
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		_, err := digest.File(path)
		require.NoError(b, err)
	}
}

func BenchmarkDir(b *testing.B) {
	dir := b.TempDir()
	for i := range 2000 {
		name := filepath.Join(dir, "d"+string(rune('a'+i%26)), "f"+strings.Repeat("x", i%7)+
			hex.EncodeToString([]byte{byte(i), byte(i >> 8)}))
		require.NoError(b, os.MkdirAll(filepath.Dir(name), 0o755))
		require.NoError(b, os.WriteFile(name, []byte(name), 0o644))
	}
	b.ResetTimer()
	for b.Loop() {
		_, err := digest.Dir(dir)
		require.NoError(b, err)
	}
}
