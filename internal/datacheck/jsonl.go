package datacheck

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// readJSONLines profiles JSON Lines: one object per line, its keys the
// columns (in the order first seen). A key missing from a line is a null
// there; numbers are numbers, strings and booleans are text, and nested
// objects or arrays count as their JSON text. Blank lines are skipped.
func readJSONLines(r io.Reader, p *Profile, opts ProfileOptions) error {
	j := &jsonlReader{index: map[string]int{}}
	br := bufio.NewReaderSize(r, 1<<20)
	for line := int64(1); ; line++ {
		text, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(text)) > 0 {
			if e := j.addLine(text, line, p.Rows); e != nil {
				e.Source, e.Line = opts.Source, line
				return e
			}
			p.Rows++
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", opts.Source, err)
		}
	}
	if len(j.accs) == 0 {
		return &InputError{Source: opts.Source,
			Msg: "no JSON object found: expected one object per line"}
	}
	for _, a := range j.accs {
		a.nulls += p.Rows - a.count - a.nulls // keys missing from lines
		p.Columns = append(p.Columns, a.column())
	}
	return nil
}

type jsonlReader struct {
	accs  []*accumulator
	index map[string]int
	seen  []int64 // per column, 1 + the row it last had a value in
}

// addLine adds one line's object; rows is the number of rows before it.
func (j *jsonlReader) addLine(text []byte, line, rows int64) *InputError {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return &InputError{Msg: "expected a JSON object ({...}) on each line"}
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return &InputError{Msg: fmt.Sprintf("invalid JSON: %v", err)}
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return &InputError{Msg: fmt.Sprintf("invalid JSON: %v", err)}
		}
		i := j.column(key.(string), rows)
		if j.seen[i] == rows+1 {
			return &InputError{Column: j.accs[i].name, Msg: "the key appears twice in the object"}
		}
		j.seen[i] = rows + 1
		if e := j.add(j.accs[i], raw, line); e != nil {
			return e
		}
	}
	if _, err := dec.Token(); err != nil {
		return &InputError{Msg: fmt.Sprintf("invalid JSON: %v", err)}
	}
	return nil
}

// column returns the index of key's accumulator, adding one that counts the
// earlier rows as nulls.
func (j *jsonlReader) column(key string, rows int64) int {
	if i, ok := j.index[key]; ok {
		return i
	}
	a := newAccumulator(key)
	a.nulls = rows
	j.index[key] = len(j.accs)
	j.accs = append(j.accs, a)
	j.seen = append(j.seen, 0)
	return len(j.accs) - 1
}

// add adds one JSON value.
func (j *jsonlReader) add(a *accumulator, raw json.RawMessage, line int64) *InputError {
	switch raw[0] {
	case 'n':
		a.nulls++
		return nil
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return &InputError{Column: a.name, Msg: fmt.Sprintf("invalid JSON string: %v", err)}
		}
		return a.addJSONText(s, line)
	case 't', 'f', '{', '[':
		return a.addJSONText(string(raw), line)
	}
	x, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return &InputError{Column: a.name, Msg: fmt.Sprintf("invalid number %s", clip(string(raw)))}
	}
	if a.kind == kindString {
		return &InputError{Column: a.name, Msg: fmt.Sprintf(
			"the number %s is in a column of strings (a column must keep one type)",
			clip(string(raw)),
		)}
	}
	if a.kind == kindUnknown {
		a.firstNumber = line
	}
	a.addNumber(x, isIntegerText(string(raw)))
	return nil
}

// addJSONText adds a JSON string (or other non-number) to a column.
func (a *accumulator) addJSONText(s string, line int64) *InputError {
	if a.kind == kindNumber {
		return &InputError{Column: a.name, Msg: fmt.Sprintf(
			"%q is not a number, but the column holds numbers from line %d on "+
				"(a column must keep one type)", clip(s), a.firstNumber)}
	}
	a.kind = kindString
	return a.addString(s, line)
}
