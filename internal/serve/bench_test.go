package serve

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkLoadOverhead puts the serving check's load on a server that
// answers after a fixed sleep: what the check measures beyond the sleep is
// the load generator's own overhead (client, loopback, server framework),
// reported as overhead-p50-µs and overhead-p99-µs. A sleep overshoots on a
// busy machine, so overhead-mean-µs subtracts the time the handler really
// took instead of the nominal sleep.
func BenchmarkLoadOverhead(b *testing.B) {
	for _, tc := range []struct {
		name  string
		sleep time.Duration
		conc  int
	}{
		{"sleep=0/conc=1", 0, 1},
		{"sleep=2ms/conc=1", 2 * time.Millisecond, 1},
		{"sleep=2ms/conc=8", 2 * time.Millisecond, 8},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var handled atomic.Int64
			srv := httptest.NewServer(
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					start := time.Now()
					time.Sleep(tc.sleep)
					defer func() { handled.Add(int64(time.Since(start))) }()
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(`{"score": 0.5}`))
				}),
			)
			defer srv.Close()
			c := newClient(10*time.Second, tc.conc)
			defer c.CloseIdleConnections()
			t := target{method: http.MethodPost, url: srv.URL}
			bodies := [][]byte{[]byte(`{"x": 1}`)}

			var all []time.Duration
			b.ResetTimer()
			for b.Loop() {
				s := c.burst(b.Context(), t, bodies, 0, 200, 0, tc.conc)
				require.Zero(b, s.errors)
				all = append(all, s.latencies...)
			}
			b.StopTimer()
			slices.Sort(all)
			over := func(p int) float64 {
				return float64(percentile(all, p)-tc.sleep) / float64(time.Microsecond)
			}
			var sum time.Duration
			for _, l := range all {
				sum += l
			}
			mean := (sum - time.Duration(handled.Load())) / time.Duration(len(all))
			b.ReportMetric(float64(mean)/float64(time.Microsecond), "overhead-mean-µs")
			b.ReportMetric(over(50), "overhead-p50-µs")
			b.ReportMetric(over(99), "overhead-p99-µs")
			b.ReportMetric(float64(b.Elapsed())/float64(len(all))/float64(time.Microsecond),
				"µs/request")
		})
	}
}
