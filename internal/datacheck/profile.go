package datacheck

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/klauspost/compress/zstd"

	"github.com/mlci-dev/mlci/internal/datacheck/sketch"
)

// ProfileVersion is the version of the profile format that this package
// writes and reads.
const ProfileVersion = 1

// MaxCategories is how many distinct values of a string column a profile
// counts one by one; later new values go to the "other" count.
const MaxCategories = 1000

// The data formats.
const (
	FormatCSV     = "csv"
	FormatTSV     = "tsv"
	FormatJSONL   = "jsonl"
	FormatParquet = "parquet"
)

// The column types.
const (
	TypeInteger = "integer"
	TypeNumber  = "number"
	TypeString  = "string"
	// TypeNull is a column without a single value.
	TypeNull = "null"
)

// ProfileOptions say how to read a data file.
type ProfileOptions struct {
	// Format is csv, tsv, jsonl or parquet; empty means csv for Profile and
	// the extension's format for ProfileFile.
	Format string
	// Label and ID name the label and the row-id columns, if any.
	Label string
	ID    string
	// Source names the data in error messages: a path, or path@revision.
	Source string
}

// Profile summarises a data set: its row count and each column's profile.
type Profile struct {
	Version int       `json:"version"`
	Format  string    `json:"format"`
	Label   string    `json:"label,omitempty"`
	ID      string    `json:"id,omitempty"`
	Rows    int64     `json:"rows"`
	Columns []*Column `json:"columns"`
}

// Column is one column's profile.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Count is the number of values that are not null.
	Count int64 `json:"count"`
	Nulls int64 `json:"nulls"`
	// Numeric is set for integer and number columns.
	Numeric *Numeric `json:"numeric,omitempty"`
	// Categorical is set for string columns.
	Categorical *Categorical `json:"categorical,omitempty"`
}

// Numeric summarises the values of a number column. Infinite values are
// counted apart and left out of everything else.
type Numeric struct {
	Min      float64 `json:"min"`
	Max      float64 `json:"max"`
	Mean     float64 `json:"mean"`
	Std      float64 `json:"std"` // population standard deviation
	Infinite int64   `json:"infinite,omitempty"`
	// Quantiles are at QuantileLevels, from the sketch.
	Quantiles []float64  `json:"quantiles"`
	Histogram *Histogram `json:"histogram"`
	// Sketch holds the distribution for the drift tests.
	Sketch *sketch.KLL `json:"sketch"`
}

// QuantileLevels are the levels of Numeric.Quantiles.
var QuantileLevels = []float64{0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1}

// Histogram counts values in equal-width bins from Min to Max. Counts are
// estimated from the sketch, and exact when it is.
type Histogram struct {
	Edges  []float64 `json:"edges"`
	Counts []float64 `json:"counts"`
}

// Categorical counts the values of a string column.
type Categorical struct {
	// Distinct is the number of distinct values, exact when Complete.
	Distinct int `json:"distinct"`
	// Top are the counted values, most frequent first.
	Top []Count `json:"top"`
	// Other is how many values are not in Top.
	Other int64 `json:"other,omitempty"`
	// Complete reports whether Top holds every value.
	Complete bool `json:"complete"`
}

// Count is a value and how often it occurs.
type Count struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// Column returns the column called name, or nil.
func (p *Profile) Column(name string) *Column {
	for _, c := range p.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// IsNumeric reports whether the column holds numbers.
func (c *Column) IsNumeric() bool { return c.Type == TypeInteger || c.Type == TypeNumber }

// FormatOf returns the format that path's extension names, csv by default;
// a compression suffix (.gz, .zst) is looked through: data.tsv.gz is tsv.
func FormatOf(path string) string {
	lower := strings.ToLower(path)
	for _, suffix := range []string{".gz", ".gzip", ".zst", ".zstd"} {
		lower = strings.TrimSuffix(lower, suffix)
	}
	switch filepath.Ext(lower) {
	case ".tsv", ".tab":
		return FormatTSV
	case ".jsonl", ".ndjson":
		return FormatJSONL
	case ".parquet", ".pq":
		return FormatParquet
	}
	return FormatCSV
}

// ProfileReader profiles the data that r yields, in one pass. (It cannot be
// called Profile: that is the type's name.) Parquet needs
// random access: an r that is not an io.ReaderAt with a size is first copied
// to a temporary file.
func ProfileReader(r io.Reader, opts ProfileOptions) (*Profile, error) {
	if opts.Format == "" {
		opts.Format = FormatCSV
	}
	if opts.Source == "" {
		opts.Source = "input"
	}
	p := &Profile{Version: ProfileVersion, Format: opts.Format, Label: opts.Label, ID: opts.ID}
	if opts.Format != FormatParquet {
		plain, done, err := decompressed(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", opts.Source, err)
		}
		defer done()
		r = plain
	}
	var err error
	switch opts.Format {
	case FormatCSV:
		err = readDelimited(r, ',', p, opts)
	case FormatTSV:
		err = readDelimited(r, '\t', p, opts)
	case FormatJSONL:
		err = readJSONLines(r, p, opts)
	case FormatParquet:
		err = readParquet(r, p, opts)
	default:
		return nil, fmt.Errorf("%w %q: use csv, tsv, jsonl or parquet", ErrFormat, opts.Format)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Magic numbers of the compressed streams ProfileReader reads through.
var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// decompressed returns what r yields, decompressed when it starts as a gzip
// or zstd stream does, whatever the file's name; done releases the decoder.
func decompressed(r io.Reader) (plain io.Reader, done func(), err error) {
	magic, r, err := peek(r, len(zstdMagic))
	if err != nil {
		return nil, nil, err
	}
	switch {
	case bytes.HasPrefix(magic, gzipMagic):
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("reading gzip data: %w", err)
		}
		return zr, func() { _ = zr.Close() }, nil
	case bytes.Equal(magic, zstdMagic):
		zr, err := zstd.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("reading zstd data: %w", err)
		}
		return zr, zr.Close, nil
	}
	return r, func() {}, nil
}

// peek returns r's first n bytes (fewer when it is shorter) and a reader of
// all of it: r itself, rewound, when it can seek (a file, bytes in memory),
// else r behind a buffer.
func peek(r io.Reader, n int) ([]byte, io.Reader, error) {
	if rs, ok := r.(io.ReadSeeker); ok {
		start, err := rs.Seek(0, io.SeekCurrent)
		if err == nil {
			head := make([]byte, n)
			got, rerr := io.ReadFull(rs, head)
			if _, err := rs.Seek(start, io.SeekStart); err != nil {
				return nil, nil, err
			}
			if rerr != nil && !errors.Is(rerr, io.ErrUnexpectedEOF) && !errors.Is(rerr, io.EOF) {
				return nil, nil, rerr
			}
			return head[:got], rs, nil
		}
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(n)
	return head, br, nil
}

// ProfileFile profiles the file at path; an empty opts.Format is guessed
// from the extension.
func ProfileFile(path string, opts ProfileOptions) (*Profile, error) {
	if opts.Format == "" {
		opts.Format = FormatOf(path)
	}
	if opts.Source == "" {
		opts.Source = path
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("profiling %s: %w", path, err)
	}
	defer f.Close()
	return ProfileReader(f, opts)
}

// ProfileBytes profiles data held in memory.
func ProfileBytes(data []byte, opts ProfileOptions) (*Profile, error) {
	return ProfileReader(bytes.NewReader(data), opts)
}

// WriteJSON writes the profile as indented JSON, with arrays of numbers kept
// on one line so that the sketches do not take a line per value.
func (p *Profile) WriteJSON(w io.Writer) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return fmt.Errorf("writing profile: %w", err)
	}
	out := numberArray.ReplaceAllFunc(buf.Bytes(), func(arr []byte) []byte {
		return bytes.Join(bytes.Fields(arr), nil)
	})
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("writing profile: %w", err)
	}
	return nil
}

// numberArray matches a JSON array of numbers.
var numberArray = regexp.MustCompile(`\[[-0-9.eE+,\s]*\]`)

// ReadProfile reads a profile that WriteJSON wrote.
func ReadProfile(r io.Reader) (*Profile, error) {
	var p Profile
	dec := json.NewDecoder(r)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("reading profile: %w", err)
	}
	if p.Version != ProfileVersion {
		return nil, fmt.Errorf("reading profile: %w: version %d, this mlci reads %d",
			ErrProfileVersion, p.Version, ProfileVersion)
	}
	for _, c := range p.Columns {
		if c.IsNumeric() && c.Count > 0 && (c.Numeric == nil ||
			c.Numeric.Sketch == nil && c.Count > c.Numeric.Infinite) {
			return nil, fmt.Errorf("reading profile: column %q has no sketch", c.Name)
		}
	}
	return &p, nil
}

// ReadProfileFile reads the profile stored at path.
func ReadProfileFile(path string) (*Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := ReadProfile(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// Sentinel errors, found with errors.Is.
var (
	// ErrFormat is a data format this package does not read.
	ErrFormat = errors.New("unknown data format")
	// ErrProfileVersion is a stored profile of another format version.
	ErrProfileVersion = errors.New("unsupported profile version")
)

// InputError is data that cannot be profiled: where and why.
type InputError struct {
	// Source is the file (or file@revision).
	Source string
	// Line is the line (text formats) or row (Parquet), 0 when unknown.
	Line int64
	// Column is the column's name, if the problem is in one.
	Column string
	// Msg says what was found and what was expected.
	Msg string
}

// Error returns "SOURCE:LINE: column "C": MSG".
func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString(e.Source)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Column != "" {
		fmt.Fprintf(&b, "column %q: ", e.Column)
	}
	b.WriteString(e.Msg)
	return b.String()
}
