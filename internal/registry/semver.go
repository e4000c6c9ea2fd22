package registry

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
)

// The bumps that choose a new version's number.
const (
	BumpMajor = "major"
	BumpMinor = "minor"
	BumpPatch = "patch"
)

// semver is a parsed vX.Y.Z[-pre][+build].
type semver struct {
	major, minor, patch int
	pre                 []string
}

// parseSemver parses a version CheckVersion accepts.
func parseSemver(v string) (semver, bool) {
	if CheckVersion(v) != nil {
		return semver{}, false
	}
	core, _, _ := strings.Cut(v[1:], "+")
	core, pre, hasPre := strings.Cut(core, "-")
	var s semver
	nums := strings.Split(core, ".")
	s.major, _ = strconv.Atoi(nums[0])
	s.minor, _ = strconv.Atoi(nums[1])
	s.patch, _ = strconv.Atoi(nums[2])
	if hasPre {
		s.pre = strings.Split(pre, ".")
	}
	return s, true
}

// compareSemver orders versions by semantic versioning's precedence: a
// pre-release comes before its release; build metadata does not count.
func compareSemver(a, b semver) int {
	if c := cmp.Or(cmp.Compare(a.major, b.major), cmp.Compare(a.minor, b.minor),
		cmp.Compare(a.patch, b.patch)); c != 0 {
		return c
	}
	switch {
	case len(a.pre) == 0 && len(b.pre) == 0:
		return 0
	case len(a.pre) == 0:
		return 1
	case len(b.pre) == 0:
		return -1
	}
	for i := 0; i < len(a.pre) && i < len(b.pre); i++ {
		if c := comparePre(a.pre[i], b.pre[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a.pre), len(b.pre))
}

// comparePre compares pre-release identifiers: numbers numerically and
// below words, words as text.
func comparePre(a, b string) int {
	na, errA := strconv.Atoi(a)
	nb, errB := strconv.Atoi(b)
	switch {
	case errA == nil && errB == nil:
		return cmp.Compare(na, nb)
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return strings.Compare(a, b)
}

// bump returns the version after s: a major bump resets minor and patch, a
// minor bump resets patch; a pre-release is dropped.
func bump(s semver, kind string) (string, error) {
	switch kind {
	case BumpMajor:
		s = semver{major: s.major + 1}
	case "", BumpMinor:
		s = semver{major: s.major, minor: s.minor + 1}
	case BumpPatch:
		s = semver{major: s.major, minor: s.minor, patch: s.patch + 1}
	default:
		return "", fmt.Errorf("bump %q is not one of major, minor, patch", kind)
	}
	return fmt.Sprintf("v%d.%d.%d", s.major, s.minor, s.patch), nil
}
