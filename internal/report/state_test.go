package report_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/report"
)

func TestPlatformState(t *testing.T) {
	t.Parallel()
	for verdict, want := range map[string]platform.State{
		report.Passed:  platform.Success,
		report.Nothing: platform.Neutral,
		report.Failed:  platform.Failure,
		report.Errored: platform.Failure,
		"":             platform.Failure,
	} {
		assert.Equal(t, want, report.PlatformState(verdict), verdict)
	}
}
