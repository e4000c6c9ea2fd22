package gitlab

import "github.com/mlci-dev/mlci/internal/report"

// marker is the hidden line that names a report's key in its note.
func marker(key string) string {
	return report.Marker(key)
}

// markerKey is key as a marker holds it.
func markerKey(key string) string {
	return report.SanitizeKey(key)
}

// findMarker returns the key of the last marker in body, or "".
func findMarker(body string) string {
	key, _ := report.FindMarker(body)
	return key
}
