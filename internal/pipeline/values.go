package pipeline

import (
	"math"
	"slices"
)

// equalValue compares params values as DVC does (Python's ==): numbers by
// value whatever their type, lists and mappings element by element.
func equalValue(a, b any) bool {
	if x, ok := number(a); ok {
		y, ok := number(b)
		return ok && x == y
	}
	switch t := a.(type) {
	case []any:
		u, ok := b.([]any)
		return ok && slices.EqualFunc(t, u, equalValue)
	case map[string]any:
		u, ok := b.(map[string]any)
		if !ok || len(t) != len(u) {
			return false
		}
		for k, v := range t {
			w, ok := u[k]
			if !ok || !equalValue(v, w) {
				return false
			}
		}
		return true
	}
	return a == b
}

// number returns v as a float64 when it is a number (bools are not).
func number(v any) (float64, bool) {
	switch t := v.(type) {
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case uint64:
		return float64(t), true
	case float64:
		return t, !math.IsNaN(t)
	}
	return 0, false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
