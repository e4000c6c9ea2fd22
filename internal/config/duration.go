package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

const (
	day  = 24 * time.Hour
	week = 7 * day
)

// ParseDuration parses a duration as Go writes it (`90s`, `1h30m`) with two
// more units: `d`, a day of 24 hours, and `w`, a week of 7 days (`3d`, `1w2d`,
// `1.5d`). Negative durations are refused.
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if s == "0" {
		return 0, nil
	}
	var total float64
	rest := s
	for rest != "" {
		num, unit, tail, err := nextTerm(rest)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %w", s, err)
		}
		d, err := termLength(num, unit)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %w", s, err)
		}
		total += d
		rest = tail
	}
	if total > math.MaxInt64 {
		return 0, fmt.Errorf("duration %q is too long", s)
	}
	return time.Duration(total), nil
}

// nextTerm splits a number and its unit off the front of s.
func nextTerm(s string) (num, unit, rest string, err error) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	j := i
	for j < len(s) && !(s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
		j++
	}
	num, unit, rest = s[:i], s[i:j], s[j:]
	if num == "" {
		return "", "", "", fmt.Errorf("expected a number before %q", s)
	}
	if unit == "" {
		return "", "", "", fmt.Errorf("missing unit after %s (use s, m, h, d or w)", num)
	}
	return num, unit, rest, nil
}

// termLength returns the length of one number-unit term in nanoseconds.
func termLength(num, unit string) (float64, error) {
	switch unit {
	case "d", "w":
		f, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return 0, fmt.Errorf("bad number %q", num)
		}
		if unit == "d" {
			return f * float64(day), nil
		}
		return f * float64(week), nil
	}
	d, err := time.ParseDuration(num + unit)
	if err != nil {
		return 0, fmt.Errorf("unknown unit %q (use ns, us, ms, s, m, h, d or w)", unit)
	}
	return float64(d), nil
}

// FormatDuration writes d with the largest units that divide it, in days
// and weeks too: `3d`, `1w`, `36h`, `1h30m`.
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%week == 0:
		return fmt.Sprintf("%dw", d/week)
	case d%day == 0:
		return fmt.Sprintf("%dd", d/day)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// duration decodes a duration string.
func (d *decoder) duration(n *yaml.Node, path string) (time.Duration, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		d.errorf(n, path, "expected a duration like 90s, 24h, 3d or 1w, got %s", describe(n))
		return 0, false
	}
	dur, err := ParseDuration(n.Value)
	if err != nil {
		d.errorf(n, path, "expected a duration like 90s, 24h, 3d or 1w: %v", err)
		return 0, false
	}
	return dur, true
}
