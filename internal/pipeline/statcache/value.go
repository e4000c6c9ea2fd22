package statcache

import (
	"encoding/binary"
	"maps"
	"slices"

	"github.com/mlci-dev/mlci/internal/pipeline/digest"
)

// A directory's value is the records of its files, sorted by name, each:
// the name's length (uvarint) and the name; inode, size, mtime, ctime and
// hashed-at (8 bytes each, little-endian); the hash's length (one byte) and
// the hex hash.
const fixedSize = 5 * 8

// entry is one record of a value, as stored.
type entry struct {
	name  []byte
	fixed []byte
	sum   []byte
}

// entries iterates over a value; it stops at the first malformed entry.
type entries struct{ b []byte }

func (it *entries) next() (entry, bool) {
	n, w := binary.Uvarint(it.b)
	if w <= 0 {
		return entry{}, false
	}
	b := it.b[w:]
	if n > uint64(len(b)) || uint64(len(b))-n < fixedSize+1 {
		return entry{}, false
	}
	e := entry{name: b[:n], fixed: b[n : n+fixedSize]}
	b = b[n+fixedSize:]
	sumLen := int(b[0])
	if len(b) < 1+sumLen || sumLen == 0 {
		return entry{}, false
	}
	e.sum, it.b = b[1:1+sumLen], b[1+sumLen:]
	return e, true
}

func (e entry) record(name string) digest.Record {
	var v [5]int64
	for i := range v {
		v[i] = int64(binary.LittleEndian.Uint64(e.fixed[i*8:]))
	}
	return digest.Record{Name: name, HashedAt: v[4],
		Stat: digest.Stat{Ino: uint64(v[0]), Size: v[1], ModTime: v[2], ChangeTime: v[3]}}
}

// lookup sets recs[i] to the record of names[i] (sorted) in value.
func lookup(value []byte, names []string, recs []digest.Record) {
	// The hashes share one string: one allocation, not one per file.
	sums := make([]byte, 0, 32*len(names))
	ends := make([]int, 0, 2*len(names))
	it, i := entries{value}, 0
	for e, ok := it.next(); ok && i < len(names); e, ok = it.next() {
		for i < len(names) && names[i] < string(e.name) {
			i++
		}
		if i < len(names) && names[i] == string(e.name) {
			recs[i] = e.record(names[i])
			sums = append(sums, e.sum...)
			ends = append(ends, i, len(sums))
			i++
		}
	}

	all, start := string(sums), 0
	for j := 0; j < len(ends); j += 2 {
		recs[ends[j]].MD5 = all[start:ends[j+1]]
		start = ends[j+1]
	}
}

// merge returns value with the records of pending (by name) added or
// replacing those of the same names.
func merge(value []byte, pending map[string]digest.Record) []byte {
	names := slices.Sorted(maps.Keys(pending))
	out := make([]byte, 0, len(value)+len(names)*(fixedSize+48))
	it, i := entries{value}, 0
	for e, ok := it.next(); ok; e, ok = it.next() {
		for i < len(names) && names[i] < string(e.name) {
			out = appendRecord(out, pending[names[i]])
			i++
		}
		if i < len(names) && names[i] == string(e.name) {
			out = appendRecord(out, pending[names[i]])
			i++
			continue
		}
		out = appendEntry(out, e)
	}
	for _, name := range names[i:] {
		out = appendRecord(out, pending[name])
	}
	return out
}

func appendEntry(b []byte, e entry) []byte {
	b = binary.AppendUvarint(b, uint64(len(e.name)))
	b = append(append(b, e.name...), e.fixed...)
	return append(append(b, byte(len(e.sum))), e.sum...)
}

func appendRecord(b []byte, r digest.Record) []byte {
	b = binary.AppendUvarint(b, uint64(len(r.Name)))
	b = append(b, r.Name...)
	for _, v := range []int64{int64(r.Stat.Ino), r.Stat.Size, r.Stat.ModTime,
		r.Stat.ChangeTime, r.HashedAt} {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	return append(append(b, byte(len(r.MD5))), r.MD5...)
}
