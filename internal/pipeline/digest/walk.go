package digest

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Dir hashes the directory at path: its files by a pool of workers, then its
// manifest. Entries are sorted by RelPath.
func (h *Hasher) Dir(path, algo string) (Info, []Entry, error) {
	root, err := filepath.Abs(path)
	if err != nil {
		return Info{}, nil, err
	}
	entries, err := h.walk(root, algo)
	if err != nil {
		return Info{}, nil, fmt.Errorf("hashing %s: %w", path, err)
	}

	info := Info{NFiles: len(entries)}
	for _, e := range entries {
		info.Size += e.Size
	}
	sum := md5.Sum(Manifest(entries))
	info.MD5 = hex.EncodeToString(sum[:]) + DirSuffix
	return info, entries, nil
}

// ignored are names DVC never counts as part of a directory, beside what
// .dvcignore files name (Hasher.Ignore).
var ignored = map[string]bool{".git": true, ".hg": true, ".dvc": true}

// filesPerTask is how many files of a directory one task stats and hashes:
// few enough that the workers share a large flat directory, enough that a
// task's own cost (opening the directory, a cache lookup) stays small.
const filesPerTask = 256

// walk lists and hashes the regular files under root. Symbolic links to
// files count as files; links to directories are not followed.
func (h *Hasher) walk(root, algo string) ([]Entry, error) {
	w := &walker{h: h, root: root, algo: algo, start: time.Now()}
	w.queue.more.L = &w.queue.mu
	w.queue.push(task{list: true})

	var wg sync.WaitGroup
	for range h.workers() {
		wg.Go(w.work)
	}
	wg.Wait()
	if err := errors.Join(w.errs...); err != nil {
		return nil, err
	}

	// DVC sorts by the whole path as a string. Each task's entries are in
	// that order, and the tasks' usually do not overlap, but a walk's order
	// can differ: "a-b/x" comes before "a/x", and a directory's files can
	// fall between its subdirectories'.
	byPath := func(a, b Entry) int { return strings.Compare(a.RelPath, b.RelPath) }
	slices.SortFunc(w.done, func(a, b []Entry) int { return byPath(a[0], b[0]) })
	entries := slices.Concat(w.done...)
	if !slices.IsSortedFunc(entries, byPath) {
		slices.SortFunc(entries, byPath)
	}
	return entries, nil
}

// walker is the state of one directory's hashing, shared by its workers.
type walker struct {
	h     *Hasher
	root  string
	algo  string
	start time.Time // before any file was looked at
	queue queue

	mu   sync.Mutex
	done [][]Entry
	errs []error
}

// task is a directory to list, or some of its files to hash.
type task struct {
	// rel is the directory's slash-separated path under the root.
	rel  string
	list bool
	// names are the files to hash, sorted, and recs what the stat cache
	// holds of each (nil without a stat cache).
	names []string
	recs  []Record
}

func (w *walker) work() {
	wk := workers.Get().(*worker)
	defer workers.Put(wk)
	for t, ok := w.queue.next(false); ok; t, ok = w.queue.next(true) {
		if w.failed() {
			continue
		}
		if err := w.run(wk, t); err != nil {
			w.mu.Lock()
			w.errs = append(w.errs, err)
			w.mu.Unlock()
		}
	}
}

func (w *walker) failed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.errs) > 0
}

func (w *walker) run(wk *worker, t task) error {
	path := w.root
	if t.rel != "" {
		path = filepath.Join(w.root, filepath.FromSlash(t.rel))
	}
	d, ents, err := openDir(path, t.list)
	if err != nil {
		return err
	}
	defer d.close()

	if t.list {
		t = w.list(d, t.rel, ents)
	}
	return w.hash(wk, d, t)
}

// list queues the subdirectories of d and all but the first share of its
// files, and returns that share.
func (w *walker) list(d dir, rel string, ents []fs.DirEntry) task {
	skip := w.h.Ignore.In(d.path)
	var names []string
	for _, e := range ents {
		name := e.Name()
		switch typ := e.Type(); {
		case ignored[name]:
		case skip.Ignored(name, typ.IsDir()):
		case typ.IsDir():
			w.queue.push(task{rel: joinRel(rel, name), list: true})
		case typ.IsRegular():
			names = append(names, name)
		case typ&fs.ModeSymlink != 0:
			if st, err := d.stat(name); err == nil && st.regular {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	var recs []Record
	if w.h.Cache != nil && len(names) > 0 {
		recs = w.h.Cache.Lookup(d.path, w.algo, names)
	}

	for i := filesPerTask; i < len(names); i += filesPerTask {
		j := min(i+filesPerTask, len(names))
		t := task{rel: rel, names: names[i:j]}
		if recs != nil {
			t.recs = recs[i:j]
		}
		w.queue.push(t)
	}
	j := min(filesPerTask, len(names))
	t := task{rel: rel, names: names[:j]}
	if recs != nil {
		t.recs = recs[:j]
	}
	return t
}

// hash hashes the files of t in d: a file the stat cache holds a record of
// is statted, and read only when the record does not prove it unchanged;
// another is opened and read at once.
func (w *walker) hash(wk *worker, d dir, t task) error {
	entries := make([]Entry, 0, len(t.names))
	paths := relPaths(t.rel, t.names)
	var fresh []Record
	for i, name := range t.names {
		var rec Record
		if t.recs != nil {
			rec = t.recs[i]
		}
		st, sum, err := w.file(wk, d, name, rec)
		switch {
		case err != nil:
			return err
		case !st.regular:
			continue
		}
		entries = append(entries, Entry{RelPath: paths[i], MD5: sum,
			Size: st.Size, IsExec: st.exec})
		if !rec.Proves(st.Stat) {
			r := Record{Name: name, Stat: st.Stat, MD5: sum}
			if r.HashedAt = w.start.UnixNano(); !r.racy() {
				fresh = append(fresh, r)
			}
		}
	}

	if w.h.Cache != nil && len(fresh) > 0 {
		w.h.Cache.Save(d.path, w.algo, fresh)
	}
	if len(entries) > 0 {
		w.mu.Lock()
		w.done = append(w.done, entries)
		w.mu.Unlock()
	}
	return nil
}

// file returns the stat and hash of the file name of d, which rec may prove.
// A file that is not regular (any more) has no hash.
func (w *walker) file(wk *worker, d dir, name string, rec Record) (fileStat, string, error) {
	if rec.MD5 != "" {
		st, err := d.stat(name)
		if err != nil || !st.regular {
			return st, "", err
		}
		if rec.Proves(st.Stat) {
			return st, rec.MD5, nil
		}
	}

	f, err := d.open(name)
	if err != nil {
		return fileStat{}, "", err
	}
	defer f.close()
	st, err := f.stat()
	if err != nil || !st.regular {
		return st, "", err
	}
	sum, err := f.hash(wk, st.Size, w.algo)
	return st, sum, err
}

// relPaths returns the paths under the root of the named files of the
// directory rel. They share one string: one allocation, not one per file.
func relPaths(rel string, names []string) []string {
	size := 0
	for _, name := range names {
		size += len(rel) + 1 + len(name)
	}
	var b strings.Builder
	b.Grow(size)
	for _, name := range names {
		if rel != "" {
			b.WriteString(rel)
			b.WriteByte('/')
		}
		b.WriteString(name)
	}

	all, start := b.String(), 0
	paths := make([]string, len(names))
	for i, name := range names {
		end := start + len(name)
		if rel != "" {
			end += len(rel) + 1
		}
		paths[i], start = all[start:end], end
	}
	return paths
}

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// queue is a stack of tasks that running tasks add to.
type queue struct {
	mu    sync.Mutex
	more  sync.Cond
	tasks []task
	// active counts the tasks queued or running.
	active int
}

func (q *queue) push(t task) {
	q.mu.Lock()
	q.tasks = append(q.tasks, t)
	q.active++
	q.mu.Unlock()
	q.more.Signal()
}

// next marks the caller's previous task finished, if it had one, and returns
// the next task; false when every task is finished.
func (q *queue) next(finished bool) (task, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if finished {
		q.active--
	}
	for len(q.tasks) == 0 {
		if q.active == 0 {
			q.more.Broadcast()
			return task{}, false
		}
		q.more.Wait()
	}
	t := q.tasks[len(q.tasks)-1]
	q.tasks = q.tasks[:len(q.tasks)-1]
	return t, true
}
