package metrics

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"

	"github.com/mlci-dev/mlci/internal/params"
)

// MetricChange is one metric on both sides of a comparison.
type MetricChange struct {
	File string `json:"file"`
	Key  string `json:"key"`
	// Base and Head are nil where the side has no such metric.
	Base *float64 `json:"base"`
	Head *float64 `json:"head"`
	// Change is Head − Base, nil unless both sides have the metric.
	Change *float64 `json:"change"`
	// Relative is (Head − Base) / |Base|, nil when undefined: a side lacks the
	// metric, or Base is zero and Head is not.
	Relative *float64 `json:"relative"`
}

// Changed reports whether the two sides differ (NaN equals NaN here).
func (c MetricChange) Changed() bool {
	if c.Base == nil || c.Head == nil {
		return c.Base != c.Head
	}
	return !sameFloat(*c.Base, *c.Head)
}

func sameFloat(a, b float64) bool {
	return a == b || math.IsNaN(a) && math.IsNaN(b)
}

// MarshalJSON writes the change with NaN and infinities as the strings "NaN",
// "+Inf" and "-Inf", which JSON numbers cannot hold.
func (c MetricChange) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		File     string `json:"file"`
		Key      string `json:"key"`
		Base     any    `json:"base"`
		Head     any    `json:"head"`
		Change   any    `json:"change"`
		Relative any    `json:"relative"`
	}{c.File, c.Key, JSONFloat(c.Base), JSONFloat(c.Head), JSONFloat(c.Change),
		JSONFloat(c.Relative)})
}

// JSONFloat returns what encoding/json should write for f: nil for nil, the
// number when finite, else "NaN", "+Inf" or "-Inf".
func JSONFloat(f *float64) any {
	switch {
	case f == nil:
		return nil
	case math.IsNaN(*f) || math.IsInf(*f, 0):
		return strconv.FormatFloat(*f, 'g', -1, 64)
	default:
		return *f
	}
}

// Diff compares the metrics of one file on both sides, key by key, and
// returns every key of either side in key order. A nil base (no baseline)
// gives changes whose Base is nil.
func Diff(base, head map[string]float64, file string) []MetricChange {
	keys := unionKeys(base, head)
	out := make([]MetricChange, 0, len(keys))
	for _, k := range keys {
		c := MetricChange{File: file, Key: k, Base: lookup(base, k), Head: lookup(head, k)}
		if c.Base != nil && c.Head != nil {
			c.Change = ptr(*c.Head - *c.Base)
			c.Relative = Relative(*c.Base, *c.Head)
		}
		out = append(out, c)
	}
	return out
}

// Relative returns (head − base) / |base|, 0 when both are zero, and nil when
// base is zero and head is not: a relative change from zero is undefined.
func Relative(base, head float64) *float64 {
	switch {
	case base == 0 && head == 0:
		return ptr(0)
	case base == 0:
		return nil
	}
	return ptr((head - base) / math.Abs(base))
}

func ptr(f float64) *float64 { return &f }

func lookup[V any](m map[string]V, k string) *V {
	v, ok := m[k]
	if !ok {
		return nil
	}
	return &v
}

func unionKeys[V any](a, b map[string]V) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// ParamChange is one param on both sides of a comparison.
type ParamChange struct {
	File string `json:"file"`
	Key  string `json:"key"`
	// Base and Head are the values; nil (null) also where a side lacks the key,
	// which Status tells apart.
	Base any `json:"base"`
	Head any `json:"head"`
	// Change is Head − Base for numbers, else nil.
	Change *float64 `json:"change,omitempty"`
	// Status is added, removed, modified or unchanged.
	Status string `json:"status"`
}

// The statuses of a ParamChange.
const (
	Added     = "added"
	Removed   = "removed"
	Modified  = "modified"
	Unchanged = "unchanged"
)

// Changed reports whether the param differs between the sides.
func (c ParamChange) Changed() bool { return c.Status != Unchanged }

// DiffParams compares one params file on both sides, as the nested maps
// params.Parse returns, and returns every leaf key of either side in key
// order (lists are leaves, as in change detection).
func DiffParams(base, head map[string]any, file string) []ParamChange {
	b, h := params.Flatten(base), params.Flatten(head)
	keys := unionKeys(b, h)
	out := make([]ParamChange, 0, len(keys))
	for _, k := range keys {
		bv, inBase := b[k]
		hv, inHead := h[k]
		c := ParamChange{File: file, Key: k, Base: bv, Head: hv}
		switch {
		case !inBase:
			c.Status = Added
		case !inHead:
			c.Status = Removed
		case params.Equal(bv, hv):
			c.Status = Unchanged
		default:
			c.Status = Modified
		}
		if bf, ok := number(bv); ok && inBase && inHead {
			if hf, ok := number(hv); ok {
				c.Change = ptr(hf - bf)
			}
		}
		out = append(out, c)
	}
	return out
}
