package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mlci-dev/mlci/internal/progress"
)

// unknown is shown for a value that is missing or not finite.
const unknown = "—"

// numbers formats numbers with a fixed number of decimals.
type numbers struct{ prec int }

// num formats v with the precision's decimals, "—" when v is nil.
func (n numbers) num(v *float64) string {
	if v == nil || !finite(*v) {
		return unknown
	}
	return n.fixed(*v)
}

// fixed formats v with the precision's decimals and never shows -0.
func (n numbers) fixed(v float64) string {
	s := strconv.FormatFloat(v, 'f', n.prec, 64)
	if strings.Trim(s, "-0.") == "" {
		return strings.TrimPrefix(s, "-")
	}
	return s
}

// signed formats a change with its sign, "±0" style zero as "0".
func (n numbers) signed(v *float64) string {
	if v == nil || !finite(*v) {
		return unknown
	}
	s := n.fixed(*v)
	if strings.HasPrefix(s, "-") || strings.Trim(s, "0.") == "" {
		return s
	}
	return "+" + s
}

// pvalue formats a p-value, "< 0.0001" below what the precision shows.
func (n numbers) pvalue(v *float64) string {
	if v == nil || !finite(*v) {
		return unknown
	}
	least := math.Pow10(-n.prec)
	if *v < least {
		return "< " + n.fixed(least)
	}
	return n.fixed(*v)
}

// short formats v with at most the precision's decimals and no trailing
// zeros, for chart values and axes.
func (n numbers) short(v float64) string {
	s := n.fixed(v)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		return "0"
	}
	return s
}

// percent formats a share from 0 to 1 as a whole percentage.
func percent(share float64) string {
	if !finite(share) {
		return unknown
	}
	return strconv.FormatFloat(share*100, 'f', 0, 64) + "%"
}

// seconds formats a duration given in seconds the way the progress log does.
func seconds(s float64) string {
	if !finite(s) || s <= 0 {
		return unknown
	}
	return progress.Duration(time.Duration(s * float64(time.Second)).Round(time.Millisecond))
}

// about formats saved time roughly ("~11 min", "~40 s").
func about(s float64) string {
	switch {
	case !finite(s) || s <= 0:
		return "0 s"
	case s < 1:
		return "under 1 s"
	case s < 90:
		return fmt.Sprintf("~%.0f s", s)
	case s < 90*60:
		return fmt.Sprintf("~%.0f min", s/60)
	default:
		return fmt.Sprintf("~%.1f h", s/3600)
	}
}

// count formats n with thousands separators.
func count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// plural returns "1 file" or "3 files".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return count(n) + " " + many
}

// clip shortens s to at most n runes, ending it with … when it was cut.
func clip(n int, s string) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// shortSHA returns the first 7 characters of a commit SHA.
func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
