package record

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/pipeline/atomicfile"
)

// FileName is the name of the record written beside the report.
const FileName = "record.json"

// MaxPerCommit bounds the records a commit's note keeps; the oldest go first.
const MaxPerCommit = 50

// remoteNotes is where the remote's notes are fetched to before a merge.
const remoteNotes = "refs/notes/mlci-remote"

// ErrNoRecord means a commit has no run record.
var ErrNoRecord = errors.New("no run record")

// Write writes r as indented JSON to dir/record.json, atomically, and
// returns the file's path.
func Write(dir string, r *Record) (string, error) {
	line, err := encode(r)
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, line, "", "  "); err != nil {
		return "", fmt.Errorf("encoding the run record: %w", err)
	}
	out.WriteByte('\n')
	path := filepath.Join(dir, FileName)
	if err := atomicfile.Write(path, out.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("writing the run record: %w", err)
	}
	return path, nil
}

// ReadFile reads a record that Write wrote.
func ReadFile(path string) (*Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the run record: %w", err)
	}
	return decode(path, data)
}

// Save adds r to the note on r.Commit (refs/notes/mlci): a record of the
// same CI run (same RunURL) is replaced, any other is kept, up to
// MaxPerCommit records.
func Save(ctx context.Context, repo git.Repo, r *Record) error {
	if r.Commit == "" {
		return fmt.Errorf("saving a run record: no commit")
	}
	records, err := LoadAll(ctx, repo, r.Commit)
	if err != nil && !errors.Is(err, ErrNoRecord) {
		return err
	}
	if r.RunURL != "" {
		records = slices.DeleteFunc(records, func(o *Record) bool { return o.RunURL == r.RunURL })
	}
	records = append(records, r)
	if len(records) > MaxPerCommit {
		records = records[len(records)-MaxPerCommit:]
	}

	var note bytes.Buffer
	for _, rec := range records {
		line, err := encode(rec)
		if err != nil {
			return err
		}
		note.Write(line)
		note.WriteByte('\n')
	}
	if err := repo.WriteNote(ctx, r.Commit, note.Bytes()); err != nil {
		return fmt.Errorf("saving the run record: %w", err)
	}
	return nil
}

// Load returns the newest record of commit; ErrNoRecord when it has none.
func Load(ctx context.Context, repo git.Repo, commit string) (*Record, error) {
	records, err := LoadAll(ctx, repo, commit)
	if err != nil {
		return nil, err
	}
	return records[len(records)-1], nil
}

// LoadAll returns the records of commit, oldest first; ErrNoRecord when it
// has none.
func LoadAll(ctx context.Context, repo git.Repo, commit string) ([]*Record, error) {
	data, err := repo.ReadNote(ctx, commit)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w for commit %s in %s", ErrNoRecord, short(commit), git.NotesRef)
	}
	if err != nil {
		return nil, fmt.Errorf("loading the run records of %s: %w", short(commit), err)
	}
	records, err := parseNote(short(commit), data)
	if err != nil {
		return nil, err
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("%w for commit %s in %s", ErrNoRecord, short(commit), git.NotesRef)
	}
	return records, nil
}

// All returns every record of every commit, oldest first, reading the
// notes through one git process.
func All(ctx context.Context, repo git.Repo) ([]*Record, error) {
	notes, err := repo.Notes(ctx)
	if err != nil || len(notes) == 0 {
		return nil, err
	}
	b, err := repo.NewBatch(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Close()

	var all []*Record
	for _, n := range notes {
		data, err := b.Object(n.Object)
		if err != nil {
			return nil, fmt.Errorf("loading the run records of %s: %w", short(n.Commit), err)
		}
		records, err := parseNote(short(n.Commit), data)
		if err != nil {
			return nil, err
		}
		all = append(all, records...)
	}
	sortByTime(all)
	return all, nil
}

// parseNote reads a note of one record per line, skipping blank lines.
func parseNote(commit string, data []byte) ([]*Record, error) {
	var records []*Record
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		where := fmt.Sprintf("the note on %s (%s), line %d", commit, git.NotesRef, line)
		r, err := decode(where, text)
		if err != nil {
			return nil, err
		}
		records = append(records, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the note on %s: %w", commit, err)
	}
	sortByTime(records)
	return records, nil
}

// sortByTime orders records oldest first; a merge of notes sorts their
// lines as text, so the order in a note says nothing.
func sortByTime(records []*Record) {
	slices.SortStableFunc(records, func(a, b *Record) int { return a.Time.Compare(b.Time) })
}

// Push pushes the run records to remote. When the remote's notes moved on
// (another run pushed its record), they are fetched and merged, and the
// push is tried again, a few times.
func Push(ctx context.Context, repo git.Repo, remote string) error {
	if _, err := repo.Run(ctx, "rev-parse", "--verify", "--quiet", git.NotesRef); err != nil {
		return nil // nothing recorded here
	}
	var err error
	for range 4 {
		err = repo.PushAtomic(ctx, remote, git.NotesRef)
		if !errors.Is(err, git.ErrRejected) {
			break
		}
		if ferr := Fetch(ctx, repo, remote); ferr != nil {
			return ferr
		}
	}
	if err != nil {
		return fmt.Errorf("pushing the run records: %w", err)
	}
	return nil
}

// Fetch fetches the remote's run records and merges them into the local
// ones; records on both sides are all kept. A remote without records is
// no error.
func Fetch(ctx context.Context, repo git.Repo, remote string) error {
	found, err := repo.FetchRef(ctx, remote, git.NotesRef, remoteNotes)
	if err != nil || !found {
		return err
	}
	if _, err := repo.Run(ctx, "rev-parse", "--verify", "--quiet", git.NotesRef); err != nil {
		if _, err := repo.Run(ctx, "update-ref", git.NotesRef, remoteNotes); err != nil {
			return fmt.Errorf("fetching the run records: %w", err)
		}
		return nil
	}
	return repo.MergeNotes(ctx, remoteNotes)
}
