package datacheck

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzProfileCSV checks that any input gives a profile or an InputError,
// never a panic, and that a profile holds together and survives JSON.
func FuzzProfileCSV(f *testing.F) {
	for _, seed := range []string{
		customersCSV, "", "a\n", "a,b\n1,2\n3\n", "a;b\n1;2\n", "x\n1e308\n-1e308\ninf\n-inf\n",
		"s\n\"q\"\"\"\n", "n\n1\nfoo\n", "\ufeffa,b\r\n1,\r\n", "a,a\n1,2\n", "x\nNaN\n1\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ProfileBytes(data, ProfileOptions{Source: "fuzz.csv"})
		if err != nil {
			var ie *InputError
			require.True(t, errors.As(err, &ie), "unexpected error type: %v", err)
			return
		}
		for _, c := range p.Columns {
			assert.Equal(t, p.Rows, c.Count+c.Nulls, "column %q", c.Name)
		}
		var buf bytes.Buffer
		require.NoError(t, p.WriteJSON(&buf))
		_, err = ReadProfile(&buf)
		require.NoError(t, err)
	})
}
