package datacheck

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/parquet-go/parquet-go"
)

// readParquet profiles a Parquet file column by column, a page at a time.
// Booleans and byte arrays are text; integers and floats are numbers.
//
// TODO: nested columns (lists, maps, structs) are refused rather than
// profiled, and INT96 timestamps too: ML tables rarely hold them, and their
// flattening needs a convention of its own.
func readParquet(r io.Reader, p *Profile, opts ProfileOptions) error {
	ra, size, cleanup, err := readerAt(r)
	if err != nil {
		return fmt.Errorf("reading %s: %w", opts.Source, err)
	}
	defer cleanup()

	f, err := parquet.OpenFile(ra, size)
	if err != nil {
		return &InputError{Source: opts.Source, Msg: fmt.Sprintf("not a Parquet file: %v", err)}
	}
	p.Rows = f.NumRows()
	for _, col := range f.Root().Columns() {
		c, err := profileParquetColumn(col, opts.Source)
		if err != nil {
			return err
		}
		p.Columns = append(p.Columns, c)
	}
	return nil
}

// readerAt returns r as an io.ReaderAt with its size, copying it to a
// temporary file when it cannot read at offsets.
func readerAt(r io.Reader) (io.ReaderAt, int64, func(), error) {
	type sized interface {
		io.ReaderAt
		Size() int64
	}
	if s, ok := r.(sized); ok {
		return s, s.Size(), func() {}, nil
	}
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			return f, fi.Size(), func() {}, nil
		}
	}
	tmp, err := os.CreateTemp("", "mlci-parquet-*")
	if err != nil {
		return nil, 0, nil, err
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	size, err := io.Copy(tmp, r)
	if err != nil {
		cleanup()
		return nil, 0, nil, err
	}
	return tmp, size, cleanup, nil
}

// profileParquetColumn reads every page of one top-level column.
func profileParquetColumn(col *parquet.Column, source string) (*Column, error) {
	if !col.Leaf() || col.Repeated() {
		return nil, &InputError{Source: source, Column: col.Name(),
			Msg: "nested or repeated columns are not profiled; expected flat columns"}
	}
	a := newAccumulator(col.Name())
	kind := col.Type().Kind()
	if kind == parquet.Int96 {
		return nil, &InputError{Source: source, Column: col.Name(),
			Msg: "INT96 values are not profiled; store timestamps as INT64"}
	}

	pages := col.Pages()
	defer pages.Close()
	buf := make([]parquet.Value, 1024)
	var row int64
	for {
		page, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &InputError{Source: source, Column: col.Name(), Line: row + 1,
				Msg: fmt.Sprintf("reading a page: %v", err)}
		}
		err = addPage(a, page, buf, &row)
		parquet.Release(page)
		if err != nil {
			return nil, &InputError{Source: source, Column: col.Name(), Line: row,
				Msg: err.Error()}
		}
	}
	return a.column(), nil
}

// addPage adds a page's values, counting rows in *row.
func addPage(a *accumulator, page parquet.Page, buf []parquet.Value, row *int64) error {
	values := page.Values()
	for {
		n, err := values.ReadValues(buf)
		for _, v := range buf[:n] {
			*row++
			if e := addParquetValue(a, v, *row); e != nil {
				return errors.New(e.Msg)
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading values: %w", err)
		}
	}
}

func addParquetValue(a *accumulator, v parquet.Value, row int64) *InputError {
	if v.IsNull() {
		a.nulls++
		return nil
	}
	switch v.Kind() {
	case parquet.Int32:
		a.addNumber(float64(v.Int32()), true)
	case parquet.Int64:
		a.addNumber(float64(v.Int64()), true)
	case parquet.Float:
		a.addNumber(float64(v.Float()), false)
	case parquet.Double:
		a.addNumber(v.Double(), false)
	case parquet.Boolean:
		a.kind = kindString
		return a.addString(strconv.FormatBool(v.Boolean()), row)
	default:
		a.kind = kindString
		return a.addString(string(v.ByteArray()), row)
	}
	return nil
}
