package gitlab

import (
	"errors"

	"github.com/mlci-dev/mlci/internal/platform"
)

var _ platform.Artefacts = (*Client)(nil)

// WriteArtefacts writes a run's results where the templates'
// artifacts:reports expect them: the gates' JUnit XML as
// .mlci/reports/gates.xml (left alone when no gate ran) and the metrics as
// .mlci/reports/metrics.txt, named by their key and labelled with the model
// and the metrics file. The metrics file is written even when empty, so that
// a report from an earlier run in the same directory is never shown as this
// one's. Both are written whatever the token; neither needs the API.
func (c *Client) WriteArtefacts(a platform.ArtefactSet) error {
	var errs []error
	if a.JUnit != nil {
		errs = append(errs, c.WriteGateReport(a.JUnit))
	}
	metrics := make([]Metric, 0, len(a.Metrics))
	for _, m := range a.Metrics {
		metrics = append(metrics, Metric{
			Name:   m.Key,
			Labels: map[string]string{"model": m.Model, "file": m.File},
			Value:  m.Value,
		})
	}
	errs = append(errs, c.WriteMetricsReport(metrics))
	return errors.Join(errs...)
}
