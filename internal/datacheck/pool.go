package datacheck

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// batchRows is how many rows a batch carries from the parser to the columns.
const batchRows = 2048

// rowBatch is a run of rows: width fields per row, and each row's line.
type rowBatch struct {
	fields  []string
	lines   []int64
	pending atomic.Int32 // workers still to read it
}

// columnPool feeds batches of rows to workers that each own a share of the
// columns, so that parsing and the per-column work run side by side. Every
// column sees its values in file order, so the profile does not depend on
// the scheduling.
type columnPool struct {
	width   int
	workers []chan *rowBatch
	free    chan *rowBatch
	wg      sync.WaitGroup
	stop    atomic.Bool
	errs    []*InputError // per worker, the first error
}

func newColumnPool(accs []*accumulator) *columnPool {
	n := max(1, min(runtime.GOMAXPROCS(0), len(accs)))
	p := &columnPool{
		width:   len(accs),
		workers: make([]chan *rowBatch, n),
		free:    make(chan *rowBatch, 4*n),
		errs:    make([]*InputError, n),
	}
	for w := range n {
		var mine []int
		for c := w; c < len(accs); c += n {
			mine = append(mine, c)
		}
		p.workers[w] = make(chan *rowBatch, 4)
		p.wg.Add(1)
		go p.work(w, accs, mine)
	}
	return p
}

// batch returns an empty batch, reusing one the workers are done with.
func (p *columnPool) batch() *rowBatch {
	select {
	case b := <-p.free:
		b.fields, b.lines = b.fields[:0], b.lines[:0]
		return b
	default:
		return &rowBatch{
			fields: make([]string, 0, batchRows*p.width),
			lines:  make([]int64, 0, batchRows),
		}
	}
}

// send hands b to every worker.
func (p *columnPool) send(b *rowBatch) {
	if len(b.lines) == 0 {
		return
	}
	b.pending.Store(int32(len(p.workers)))
	for _, w := range p.workers {
		w <- b
	}
}

// failed reports whether a worker has met bad input, so that reading can stop.
func (p *columnPool) failed() bool { return p.stop.Load() }

// wait ends the workers and returns the error of the earliest line, if any.
func (p *columnPool) wait() error {
	for _, w := range p.workers {
		close(w)
	}
	p.wg.Wait()
	var first *InputError
	for _, e := range p.errs {
		if e != nil && (first == nil || e.Line < first.Line) {
			first = e
		}
	}
	if first == nil {
		return nil
	}
	return first
}

func (p *columnPool) work(w int, accs []*accumulator, cols []int) {
	defer p.wg.Done()
	for b := range p.workers[w] {
		if p.errs[w] == nil {
			p.errs[w] = addBatch(b, accs, cols, p.width)
			if p.errs[w] != nil {
				p.stop.Store(true)
			}
		}
		if b.pending.Add(-1) == 0 {
			select {
			case p.free <- b:
			default:
			}
		}
	}
}

// addBatch adds the batch's values of cols.
func addBatch(b *rowBatch, accs []*accumulator, cols []int, width int) *InputError {
	for r, line := range b.lines {
		row := b.fields[r*width : (r+1)*width]
		for _, c := range cols {
			if err := accs[c].addText(row[c], line); err != nil {
				return err
			}
		}
	}
	return nil
}
