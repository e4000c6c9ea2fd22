package report

import "github.com/mlci-dev/mlci/internal/platform"

// PlatformState is the state a CI platform shows (a check run's conclusion,
// a commit status) for a report whose verdict is verdict.
func PlatformState(verdict string) platform.State {
	switch verdict {
	case Passed:
		return platform.Success
	case Nothing:
		return platform.Neutral
	default:
		return platform.Failure
	}
}
