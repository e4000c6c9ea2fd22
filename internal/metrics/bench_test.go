package metrics

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkReadPredictions reads 100,000 predictions.
func BenchmarkReadPredictions(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("id,label,score,prediction,region\n")
	for i := range 100_000 {
		fmt.Fprintf(&sb, "%d,%d,0.%06d,%d,%s\n", i, i%2, (i*7919)%1_000_000, (i/3)%2,
			[]string{"EU", "US", "APAC"}[i%3])
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		_, err := ReadPredictions("p.csv", data)
		require.NoError(b, err)
	}
}
