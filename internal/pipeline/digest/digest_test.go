package digest_test

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/pipeline/digest"
	"github.com/mlci-dev/mlci/internal/pipeline/statcache"
)

func write(t testing.TB, path, content string) {
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
	// More files than one task takes, in one directory.
	for i := range 700 {
		files[fmt.Sprintf("many/%03d", i)] = strconv.Itoa(i)
	}
	for name, content := range files {
		write(t, filepath.Join(dir, name), content)
	}
	// A link to a file counts as the file; a link to a directory is not
	// followed.
	require.NoError(t, os.Symlink("train.csv", filepath.Join(dir, "data", "link.csv")))
	require.NoError(t, os.Symlink("data", filepath.Join(dir, "dirlink")))
	nfiles := len(files) + 1

	out, err := exec.Command(python, "-c", pythonDirHash, dir).Output()
	require.NoError(t, err)

	for _, workers := range []int{1, 3} {
		t.Run(strconv.Itoa(workers)+" workers", func(t *testing.T) {
			h := &digest.Hasher{Workers: workers}
			info, entries, err := h.Dir(dir, digest.MD5)
			require.NoError(t, err)
			assert.Equal(t, strings.TrimSpace(string(out)), info.MD5)
			assert.Equal(t, nfiles, info.NFiles)
			assert.Len(t, entries, nfiles)
			assert.Equal(t, "a-b/x", entries[0].RelPath)
		})
	}
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
	recs map[string]digest.Record
	puts int
}

func (c *countingCache) Lookup(dir, _ string, names []string) []digest.Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]digest.Record, len(names))
	for i, n := range names {
		out[i] = c.recs[filepath.Join(dir, n)]
	}
	return out
}

func (c *countingCache) Save(dir, _ string, recs []digest.Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range recs {
		c.recs[filepath.Join(dir, r.Name)] = r
		c.puts++
	}
}

func TestFreshFilesAreNotRecorded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i := range 20 {
		write(t, filepath.Join(dir, "d", string(rune('a'+i))), strings.Repeat("x", i))
	}
	c := &countingCache{recs: map[string]digest.Record{}}
	h := &digest.Hasher{Cache: c}

	// Hashed right after they were written: a second write in the same
	// clock tick could leave their stat unchanged.
	_, _, err := h.Dir(dir, digest.MD5)
	require.NoError(t, err)
	_, err = h.File(filepath.Join(dir, "d", "a"), digest.MD5)
	require.NoError(t, err)
	assert.Zero(t, c.puts)
}

func TestRecordProves(t *testing.T) {
	t.Parallel()
	changed := time.Now().Add(-time.Hour).UnixNano()
	st := digest.Stat{Ino: 7, Size: 10, ModTime: changed, ChangeTime: changed}
	rec := digest.Record{Name: "f", Stat: st, HashedAt: changed + int64(time.Minute),
		MD5: "sum"}
	tests := []struct {
		name   string
		change func(r *digest.Record, st *digest.Stat)
		want   bool
	}{
		{"unchanged", func(*digest.Record, *digest.Stat) {}, true},
		{"inode", func(_ *digest.Record, st *digest.Stat) { st.Ino++ }, false},
		{"size", func(_ *digest.Record, st *digest.Stat) { st.Size++ }, false},
		{"mtime", func(_ *digest.Record, st *digest.Stat) { st.ModTime++ }, false},
		{"ctime", func(_ *digest.Record, st *digest.Stat) { st.ChangeTime++ }, false},
		{"no hash", func(r *digest.Record, _ *digest.Stat) { r.MD5 = "" }, false},
		{"hashed within the racy window", func(r *digest.Record, _ *digest.Stat) {
			r.HashedAt = changed + int64(digest.RacyWindow) - 1
		}, false},
		{"hashed just past it", func(r *digest.Record, _ *digest.Stat) {
			r.HashedAt = changed + int64(digest.RacyWindow)
		}, true},
		{"changed (ctime) within it", func(r *digest.Record, st *digest.Stat) {
			r.Stat.ChangeTime = r.HashedAt - 1
			st.ChangeTime = r.HashedAt - 1
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, now := rec, st
			tt.change(&r, &now)
			assert.Equal(t, tt.want, r.Proves(now))
		})
	}
}

// countingStore is the stat cache, counting the records saved. A file whose
// last change is older than digest.RacyWindow is saved when it is read.
type countingStore struct {
	*statcache.Store
	saved atomic.Int64
}

func (c *countingStore) Save(dir, algo string, recs []digest.Record) {
	c.saved.Add(int64(len(recs)))
	c.Store.Save(dir, algo, recs)
}

// pass hashes path with the stat cache db, and returns how many records it
// saved.
func pass(t testing.TB, db, path string) (digest.Info, int64) {
	t.Helper()
	s, err := statcache.Open(db)
	require.NoError(t, err)
	c := &countingStore{Store: s}
	info, _, err := (&digest.Hasher{Cache: c}).Path(path, digest.MD5)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	return info, c.saved.Load()
}

func TestDirWithStatCache(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data, db := filepath.Join(dir, "data"), filepath.Join(dir, "stat.db")
	for i := range 300 {
		write(t, filepath.Join(data, fmt.Sprintf("d%d", i%3), fmt.Sprintf("f%03d", i)),
			fmt.Sprintf("content %03d", i))
	}
	time.Sleep(digest.RacyWindow + 100*time.Millisecond)

	first, read := pass(t, db, data)
	assert.EqualValues(t, 300, read)
	second, read := pass(t, db, data)
	assert.Equal(t, first, second)
	assert.Zero(t, read, "no file is read again")
	_, read = pass(t, db, filepath.Join(data, "d1", "f001"))
	assert.Zero(t, read, "a file hashed in its directory is known alone")

	// Same size and mtime, other content: only the change time tells.
	f := filepath.Join(data, "d0", "f000")
	fi, err := os.Stat(f)
	require.NoError(t, err)
	write(t, f, "CONTENT 000")
	require.NoError(t, os.Chtimes(f, fi.ModTime(), fi.ModTime()))
	want, err := digest.Dir(data)
	require.NoError(t, err)
	require.NotEqual(t, first.MD5, want.MD5)

	third, read := pass(t, db, data)
	assert.Equal(t, want, third)
	assert.Zero(t, read, "a file hashed just after it changed is not recorded")
	fourth, _ := pass(t, db, data)
	assert.Equal(t, want, fourth)
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

func BenchmarkDirStatCache(b *testing.B) {
	dir := b.TempDir()
	data, db := filepath.Join(dir, "data"), filepath.Join(dir, "stat.db")
	for i := range 2000 {
		write(b, filepath.Join(data, fmt.Sprintf("d%02d", i%20), fmt.Sprintf("f%04d", i)),
			fmt.Sprintf("id,value\n%d,%d\n", i, 7*i))
	}
	time.Sleep(digest.RacyWindow + 100*time.Millisecond)
	_, read := pass(b, db, data)
	require.EqualValues(b, 2000, read)

	b.ResetTimer()
	for b.Loop() {
		_, read := pass(b, db, data)
		require.Zero(b, read)
	}
}
