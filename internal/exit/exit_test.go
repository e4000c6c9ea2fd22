package exit

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCode(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, OK},
		{"plain", errors.New("boom"), External},
		{"usage", Usagef("bad flag %q", "x"), Usage},
		{"failed", Failedf("gate"), Failed},
		{"wrapped usage", fmt.Errorf("loading: %w", Usagef("bad")), Usage},
		{"with", With(Failed, errors.New("x")), Failed},
		{"with nil", With(Failed, nil), OK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Code(tt.err))
		})
	}
}
