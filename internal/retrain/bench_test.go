package retrain

import (
	"testing"
)

// BenchmarkCheck measures a scheduled check with new data: the refresh
// command, hashing the data, reading the registry and the reference's lock
// file, profiling the new data and the production data (3,500 and 3,000
// rows) and comparing them. bench/retrain/run.sh times the binary on a
// million rows.
func BenchmarkCheck(b *testing.B) {
	w := newWorld(b)
	w.setFeed(b, nil)
	root := w.clone(b)
	cfg := loadConfig(b, root)
	p := newTestPlatform("github")
	b.ReportAllocs()
	for b.Loop() {
		out, err := Run(b.Context(), Options{Root: root, Config: cfg, Platform: p, Check: true,
			CacheDir: w.cache, Event: w.event()})
		if err != nil || !out.Fired {
			b.Fatalf("check: %v, %+v", err, out)
		}
	}
}
