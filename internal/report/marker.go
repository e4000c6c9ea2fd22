package report

import (
	"strings"
)

const (
	markerOpen  = "<!-- mlci:report key="
	markerClose = " -->"
	// maxKey bounds a key's length so a marker stays one short line.
	maxKey = 128
)

// Marker returns the hidden HTML comment that names what a Markdown report is
// for, so that a platform updates one comment per key instead of posting
// another. The key is sanitised with SanitizeKey.
func Marker(key string) string {
	return markerOpen + SanitizeKey(key) + markerClose
}

// FindMarker returns the key of the last report marker in body. Render puts
// the marker at the very end, after everything taken from the repository, so
// a marker quoted inside a value never wins over the real one.
func FindMarker(body string) (key string, ok bool) {
	i := strings.LastIndex(body, markerOpen)
	if i < 0 {
		return "", false
	}
	rest := body[i+len(markerOpen):]
	end := strings.Index(rest, markerClose)
	if end < 0 {
		return "", false
	}
	key = rest[:end]
	if key == "" || key != SanitizeKey(key) {
		return "", false
	}
	return key, true
}

// SanitizeKey returns key with every character outside letters, digits and
// . _ / : @ + = - replaced by _, runs of - shortened to one (so the key can
// never hold the --, or the >, that would close an HTML comment), and the
// length capped. An empty key becomes "default".
func SanitizeKey(key string) string {
	var b strings.Builder
	for _, r := range key {
		if !keyRune(r) {
			r = '_'
		}
		if r == '-' && strings.HasSuffix(b.String(), "-") {
			continue
		}
		b.WriteRune(r)
	}

	k := strings.Trim(b.String(), "-")
	if len(k) > maxKey {
		k = strings.TrimRight(k[:maxKey], "-")
	}
	if k == "" {
		return "default"
	}
	return k
}

func keyRune(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	}
	return strings.ContainsRune("._/:@+=-", r)
}
