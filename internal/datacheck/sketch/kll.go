// Package sketch holds a mergeable quantile sketch of a stream of numbers,
// after Karnin, Lang and Liberty (KLL, 2016), that keeps a few thousand
// weighted points however long the stream is.
//
// Until more values arrive than the sketch's size K, it holds every value
// and is exact. After that it compacts: a full level is sorted and every
// other item, starting at a position drawn from a generator seeded with a
// constant, moves up a level with twice the weight. The same input therefore
// gives the same sketch on every run. With K = 2048 a point's rank is off by
// well under 0.5% of the stream in practice.
//
// It does not compute statistics from the points; the twosample package does.
package sketch

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// DefaultK is the size the profiles use: exact up to 2,048 values.
const DefaultK = 2048

// shrink is the ratio of a level's capacity to the one above it.
const shrink = 2.0 / 3.0

// minCapacity is the smallest capacity a level gets.
const minCapacity = 8

// seed starts the generator that picks which half of a level moves up.
const seed = 0x6d6c6369

// KLL is a quantile sketch. The zero value is not usable; call New.
type KLL struct {
	k       int
	n       int64
	levels  [][]float64
	caps    []int // caps[h] is level h's capacity
	scratch []float64
	spare   []float64 // a free array for the next merge
	size    int
	maxSize int
	rng     uint64
}

// New returns an empty sketch that holds k values exactly.
func New(k int) *KLL {
	s := &KLL{k: max(k, minCapacity), rng: seed}
	s.grow()
	return s
}

// K returns the sketch's size.
func (s *KLL) K() int { return s.k }

// N returns how many values the sketch has seen.
func (s *KLL) N() int64 { return s.n }

// Exact reports whether the sketch still holds every value it has seen.
func (s *KLL) Exact() bool { return len(s.levels) == 1 }

// Add adds x; NaN is ignored.
func (s *KLL) Add(x float64) {
	if math.IsNaN(x) {
		return
	}
	s.levels[0] = append(s.levels[0], x)
	s.n++
	s.size++
	if s.size > s.maxSize {
		s.compress()
	}
}

// Merge adds every value o has seen, as o's points.
func (s *KLL) Merge(o *KLL) {
	for len(s.levels) < len(o.levels) {
		s.grow()
	}
	for h, level := range o.levels {
		s.levels[h] = append(s.levels[h], level...)
		if h > 0 {
			slices.Sort(s.levels[h])
		}
		s.size += len(level)
	}
	s.n += o.n
	for s.size > s.maxSize {
		s.compress()
	}
}

// Points returns the sketch's distinct values in ascending order, each with
// its weight: how many of the stream's values it stands for. The weights sum
// to N.
func (s *KLL) Points() (values, weights []float64) {
	type point struct{ v, w float64 }
	pts := make([]point, 0, s.size)
	for h, level := range s.levels {
		w := math.Ldexp(1, h)
		for _, v := range level {
			pts = append(pts, point{v, w})
		}
	}
	slices.SortFunc(pts, func(a, b point) int { return cmpFloat(a.v, b.v) })

	for _, p := range pts {
		if n := len(values); n > 0 && values[n-1] == p.v {
			weights[n-1] += p.w
			continue
		}
		values = append(values, p.v)
		weights = append(weights, p.w)
	}
	return values, weights
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// grow adds a level on top; the capacities shrink by depth below the top.
func (s *KLL) grow() {
	s.levels = append(s.levels, nil)
	s.caps = s.caps[:0]
	s.maxSize = 0
	for h := range s.levels {
		depth := len(s.levels) - h - 1
		c := max(minCapacity, int(math.Ceil(float64(s.k)*math.Pow(shrink, float64(depth)))))
		s.caps = append(s.caps, c)
		s.maxSize += c
	}
}

// compress compacts the lowest level that is over its capacity.
func (s *KLL) compress() {
	for h := range s.levels {
		if len(s.levels[h]) < s.caps[h] {
			continue
		}
		if h+1 == len(s.levels) {
			s.grow()
		}
		s.compact(h)
		return
	}
}

// compact moves one item of each pair of level h, sorted, up to level h+1;
// with an odd count, the largest item stays. Only level 0 needs sorting: the
// levels above are kept sorted by merging what comes up into them.
func (s *KLL) compact(h int) {
	level := s.levels[h]
	if h == 0 {
		slices.Sort(level)
	}
	pairs := len(level) / 2
	off := int(s.next() & 1)
	up := s.scratch[:0]
	for i := range pairs {
		up = append(up, level[2*i+off])
	}
	old := s.levels[h+1]
	s.levels[h+1] = mergeSorted(old, up, s.spare[:0])
	s.scratch, s.spare = up, old
	rest := copy(level, level[2*pairs:])
	s.levels[h] = level[:rest]
	s.size -= pairs
}

// mergeSorted merges the sorted a and b into out and returns it.
func mergeSorted(a, b, out []float64) []float64 {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if b[j] < a[i] {
			out = append(out, b[j])
			j++
		} else {
			out = append(out, a[i])
			i++
		}
	}
	out = append(append(out, a[i:]...), b[j:]...)
	return out
}

// next steps the splitmix64 generator.
func (s *KLL) next() uint64 {
	s.rng += 0x9e3779b97f4a7c15
	z := s.rng
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// wire is the sketch as JSON: its size, count and levels, lowest first.
type wire struct {
	K      int         `json:"k"`
	N      int64       `json:"n"`
	Levels [][]float64 `json:"levels"`
}

// MarshalJSON writes the sketch's size, count and levels.
func (s *KLL) MarshalJSON() ([]byte, error) {
	levels := make([][]float64, len(s.levels))
	for h, l := range s.levels {
		levels[h] = slices.Sorted(slices.Values(l))
	}
	return json.Marshal(wire{K: s.k, N: s.n, Levels: levels})
}

// UnmarshalJSON reads what MarshalJSON wrote and checks that the levels'
// weights add up to the count.
func (s *KLL) UnmarshalJSON(data []byte) error {
	var w wire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	if w.K < minCapacity || len(w.Levels) == 0 || len(w.Levels) > 62 {
		return fmt.Errorf("sketch: k %d with %d levels is not a valid sketch", w.K, len(w.Levels))
	}
	var total int64
	for h, l := range w.Levels {
		total += int64(len(l)) << h
	}
	if total != w.N {
		return fmt.Errorf("sketch: levels hold %d values, n says %d", total, w.N)
	}
	*s = KLL{k: w.K, n: w.N, rng: seed ^ uint64(w.N)}
	for range w.Levels {
		s.grow()
	}
	for h, l := range w.Levels {
		slices.Sort(l)
		s.levels[h] = l
		s.size += len(l)
	}
	return nil
}
