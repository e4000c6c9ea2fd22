package progress

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestReplay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		style Style
		want  string
	}{
		{Plain, "▶ train: fit\nepoch 1\n✓ train: ran in 1.5s\n"},
		{GitHub, "::group::train: fit\nepoch 1\n::endgroup::\n✓ train: ran in 1.5s\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		p := New(&buf, tt.style)
		p.Replay("train", "train: fit", []byte("epoch 1"), "ran", 1500*time.Millisecond)
		assert.Equal(t, tt.want, buf.String())
	}
}
