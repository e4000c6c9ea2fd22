package datacheck

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/mlci-dev/mlci/internal/config"
)

// benchCSV returns a CSV of rows rows and 20 columns (15 numeric, 5 text)
// shaped like bench/datacheck/gen.py's.
func benchCSV(rows int, shift float64, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	var b bytes.Buffer
	b.WriteString("id,x0,x1,x2,x3,x4,x5,x6,x7,x8,amount,ratio,count,age,visits," +
		"plan,region,channel,flag,label\n")
	plans := []string{"basic", "standard", "premium", "enterprise"}
	regions := []string{"EU", "US", "APAC", "LATAM", "MEA"}
	for i := range rows {
		fmt.Fprintf(&b, "%d", i+1)
		for j := range 9 {
			fmt.Fprintf(&b, ",%.4f", r.NormFloat64()*(1+float64(j)/10)+shift)
		}
		fmt.Fprintf(&b, ",%.2f,%.5f,%d,%d,%d,%s,%s,ch%02d,%s,%d\n",
			r.ExpFloat64()*20, r.Float64(), r.IntN(9), 18+r.IntN(72), r.IntN(1000),
			plans[r.IntN(4)], regions[r.IntN(5)], r.IntN(40), []string{"yes", "no"}[r.IntN(2)],
			r.IntN(2))
	}
	return b.Bytes()
}

func BenchmarkProfileCSV(b *testing.B) {
	data := benchCSV(100_000, 0, 1)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ProfileBytes(data, ProfileOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	base, err := ProfileBytes(benchCSV(100_000, 0, 1), ProfileOptions{ID: "id"})
	if err != nil {
		b.Fatal(err)
	}
	head, err := ProfileBytes(benchCSV(100_000, 0.2, 2), ProfileOptions{ID: "id"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Compare(base, head, config.Drift{})
	}
}
