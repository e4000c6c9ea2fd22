package progress

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestGroups(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name  string
		style Style
		want  string
	}{
		{
			"plain",
			Plain,
			"▶ train the model\nepoch 1\n✓ train: ran in 2.5s\n" +
				"– evaluate: skipped, up to date\n",
		},
		{"github", GitHub, "::group::train the model\nepoch 1\n::endgroup::\n" +
			"✓ train: ran in 2.5s\n– evaluate: skipped, up to date\n"},
		{
			"gitlab",
			GitLab,
			"\x1b[0Ksection_start:100:train_eu[collapsed=true]\r\x1b[0Ktrain the model\n" +
				"epoch 1\n\x1b[0Ksection_end:102:train_eu\r\x1b[0K\n" +
				"✓ train@EU: ran in 2.5s\n– evaluate: skipped, up to date\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			p := New(&buf, tt.style)
			clock := time.Unix(100, 0)
			p.now = func() time.Time { return clock }

			name := "train"
			if tt.style == GitLab {
				name = "train@EU"
			}
			g := p.Start(name, "train the model")
			g.Linef("epoch %d", 1)
			clock = clock.Add(2500 * time.Millisecond)
			took := g.End("ran")
			p.Skipped("evaluate", "up to date")

			assert.Equal(t, 2500*time.Millisecond, took)
			assert.Equal(t, tt.want, buf.String())
		})
	}
}

func TestDuration(t *testing.T) {
	t.Parallel()

	tests := []struct {
		d    time.Duration
		want string
	}{
		{850 * time.Millisecond, "850ms"},
		{4200 * time.Millisecond, "4.2s"},
		{62 * time.Second, "1m 02s"},
		{63 * time.Minute, "1h 03m"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Duration(tt.d))
	}
}
