package twosample

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tol is how closely every statistic must agree with SciPy's.
const tol = 1e-9

// python is Debian's interpreter, which has python3-scipy; a python3 earlier
// on PATH may lack it.
const python = "/usr/bin/python3"

type reference struct {
	KS []struct {
		Name      string
		A, B      []float64
		Statistic float64
		PValue    float64
	}
	KStwo []struct {
		N     int
		X, SF float64
	} `json:"kstwo"`
	Smirnov []struct {
		N     int
		X, SF float64
	}
	ChiSq []struct {
		Obs, Exp          []float64
		Statistic, PValue float64
	} `json:"chisquare"`
	Chi2SF   []struct{ X, DF, SF float64 } `json:"chi2_sf"`
	Distance []struct {
		Name        string
		A, B        []float64
		WA, WB      []float64
		Wasserstein float64
		PSI         *float64
		Quantiles   []float64
	}
	Categorical []struct {
		P, Q          []float64
		JensenShannon float64
		LInf          float64
	}
}

var (
	refOnce sync.Once
	ref     reference
	refErr  error
)

// scipyReference runs testdata/reference.py once and returns what it printed;
// it skips the test when SciPy is not installed.
func scipyReference(t *testing.T) reference {
	t.Helper()
	if err := exec.Command(python, "-c", "import scipy, numpy").Run(); err != nil {
		t.Skipf("SciPy reference values need %s with numpy and scipy "+
			"(apt-get install python3-scipy): %v", python, err)
	}
	refOnce.Do(func() {
		out, err := exec.Command(python, "testdata/reference.py").Output()
		if err != nil {
			refErr = fmt.Errorf("running testdata/reference.py: %w", err)
			return
		}
		refErr = json.Unmarshal(out, &ref)
	})
	require.NoError(t, refErr)
	return ref
}

func TestKSAgreesWithSciPy(t *testing.T) {
	t.Parallel()
	for _, c := range scipyReference(t).KS {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			got := KS(NewSample(c.A), NewSample(c.B))
			assert.InDelta(t, c.Statistic, got.Statistic, tol, "statistic")
			assert.InDelta(t, c.PValue, got.PValue, tol, "p-value")
			assert.Equal(t, max(len(c.A), len(c.B)) <= exactMaxN, got.Exact)
		})
	}
}

func TestKolmogorovSFAgreesWithSciPy(t *testing.T) {
	t.Parallel()
	for _, c := range scipyReference(t).KStwo {
		got := KolmogorovSF(c.N, c.X)
		assert.InDelta(t, c.SF, got, tol, "kstwo.sf(%v, %d)", c.X, c.N)
	}
}

func TestSmirnovAgreesWithSciPy(t *testing.T) {
	t.Parallel()
	for _, c := range scipyReference(t).Smirnov {
		assert.InDelta(t, c.SF, Smirnov(c.N, c.X), tol, "smirnov(%d, %v)", c.N, c.X)
	}
}

func TestChiSquareAgreesWithSciPy(t *testing.T) {
	t.Parallel()
	r := scipyReference(t)
	for _, c := range r.ChiSq {
		stat, p := ChiSquare(c.Obs, c.Exp)
		assert.InDelta(t, c.Statistic, stat, tol*c.Statistic, "statistic of %v", c.Obs)
		assert.InDelta(t, c.PValue, p, tol, "p-value of %v", c.Obs)
	}
	for _, c := range r.Chi2SF {
		assert.InDelta(t, c.SF, ChiSquareSF(c.X, c.DF), tol, "chi2.sf(%v, %v)", c.X, c.DF)
	}
}

func TestDistancesAgreeWithSciPy(t *testing.T) {
	t.Parallel()
	for _, c := range scipyReference(t).Distance {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			a, b := weighted(c.A, c.WA), weighted(c.B, c.WB)
			assert.InDelta(t, c.Wasserstein, Wasserstein(a, b), tol, "wasserstein")
			if c.PSI != nil {
				assert.InDelta(t, *c.PSI, PSI(a, b), tol, "psi")
			}
			for i, q := range c.Quantiles {
				assert.InDelta(t, q, a.Quantile(float64(i)/10), tol, "quantile %d/10", i)
			}
		})
	}
}

func TestCategoricalDistancesAgreeWithSciPy(t *testing.T) {
	t.Parallel()
	for _, c := range scipyReference(t).Categorical {
		assert.InDelta(t, c.JensenShannon, JensenShannon(c.P, c.Q), tol, "js %v %v", c.P, c.Q)
		assert.InDelta(t, c.LInf, LInf(c.P, c.Q), tol, "linf %v %v", c.P, c.Q)
	}
}

// weighted sorts values with their weights into a Sample, merging nothing.
func weighted(values, weights []float64) Sample {
	if weights == nil {
		return NewSample(values)
	}
	idx := make([]int, len(values))
	for i := range idx {
		idx[i] = i
	}
	sortByValue(idx, values)
	s := Sample{Values: make([]float64, len(values)), Weights: make([]float64, len(values))}
	for i, k := range idx {
		s.Values[i], s.Weights[i] = values[k], weights[k]
	}
	return s
}

func sortByValue(idx []int, values []float64) {
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && values[idx[j]] < values[idx[j-1]]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
}
