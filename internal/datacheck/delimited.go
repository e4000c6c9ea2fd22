package datacheck

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// readDelimited profiles CSV (comma ',') or TSV (comma '\t') with a header
// line, into p. One goroutine parses the text while others, each owning some
// of the columns, take the values in batches of rows.
func readDelimited(r io.Reader, comma rune, p *Profile, opts ProfileOptions) error {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.ReuseRecord = true

	accs, err := readHeader(cr, comma, opts)
	if err != nil {
		return err
	}
	pool := newColumnPool(accs)
	rows, readErr := readRows(cr, pool, len(accs), opts.Source)
	colErr := pool.wait()

	if err := firstError(readErr, colErr); err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			ie.Source = opts.Source
		}
		return err
	}
	p.Rows = rows
	for _, a := range accs {
		p.Columns = append(p.Columns, a.column())
	}
	return nil
}

// readRows parses the records after the header and hands them to pool in
// batches; it returns the number of rows and the error that stopped it.
func readRows(cr *csv.Reader, pool *columnPool, width int, source string) (int64, error) {
	var rows int64
	b := pool.batch()
	for !pool.failed() {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			pool.send(b)
			return rows, delimitedError(err, width, len(rec), source)
		}
		line, _ := cr.FieldPos(0)
		b.fields = append(b.fields, rec...)
		b.lines = append(b.lines, int64(line))
		rows++
		if len(b.lines) == batchRows {
			pool.send(b)
			b = pool.batch()
		}
	}
	pool.send(b)
	return rows, nil
}

// firstError returns the error of the earlier line.
func firstError(a, b error) error {
	var ea, eb *InputError
	if errors.As(a, &ea) && errors.As(b, &eb) && eb.Line < ea.Line {
		return b
	}
	if a != nil {
		return a
	}
	return b
}

// readHeader reads the header line into one accumulator per column.
func readHeader(cr *csv.Reader, comma rune, opts ProfileOptions) ([]*accumulator, error) {
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &InputError{
			Source: opts.Source,
			Msg:    "the file is empty: expected a header line",
		}
	}
	if err != nil {
		return nil, delimitedError(err, 0, 0, opts.Source)
	}
	if len(header) == 1 {
		if other, ok := looksDelimited(header[0], comma); ok {
			return nil, &InputError{Source: opts.Source, Line: 1, Msg: fmt.Sprintf(
				"the header is one column %q: the file looks %s-separated, not %s-separated "+
					"(set the data set's format)", clip(header[0]), other, delimName(comma))}
		}
	}

	accs := make([]*accumulator, len(header))
	seen := make(map[string]int, len(header))
	for i, name := range header {
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff")
		}
		if !utf8.ValidString(name) {
			return nil, &InputError{Source: opts.Source, Line: 1,
				Msg: fmt.Sprintf("column %d's name %q is not valid UTF-8", i+1, clip(name))}
		}
		if name == "" {
			name = fmt.Sprintf("column%d", i+1)
		}
		if j, dup := seen[name]; dup {
			return nil, &InputError{Source: opts.Source, Line: 1, Msg: fmt.Sprintf(
				"columns %d and %d are both called %q: names must be unique", j+1, i+1, name)}
		}
		seen[name] = i
		accs[i] = newAccumulator(strings.Clone(name))
	}
	return accs, nil
}

// looksDelimited reports whether a lone header field holds another usual
// delimiter, and which.
func looksDelimited(field string, comma rune) (string, bool) {
	for _, d := range []rune{'\t', ';', '|', ','} {
		if d != comma && strings.ContainsRune(field, d) {
			return delimName(d), true
		}
	}
	return "", false
}

func delimName(d rune) string {
	switch d {
	case '\t':
		return "tab"
	case ',':
		return "comma"
	case ';':
		return "semicolon"
	}
	return fmt.Sprintf("%q", d)
}

// delimitedError turns the csv package's errors into InputErrors.
func delimitedError(err error, want, got int, source string) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("reading %s: %w", source, err)
	}
	e := &InputError{Source: source, Line: int64(pe.Line)}
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		e.Line = int64(pe.StartLine)
		e.Msg = fmt.Sprintf("expected %d fields as in the header, found %d", want, got)
	case errors.Is(pe.Err, csv.ErrBareQuote), errors.Is(pe.Err, csv.ErrQuote):
		e.Msg = fmt.Sprintf("column %d: %v (quote the whole field and double inner quotes)",
			pe.Column, pe.Err)
	default:
		e.Msg = pe.Err.Error()
	}
	return e
}
