package config

import (
	"errors"
	"path/filepath"

	"github.com/mlci-dev/mlci/internal/params"
)

// ParamValues returns the values of the params files the stages read, by
// dotted key, prefixed with the file and a colon when it is not
// params.yaml: the form run records keep them in. A file that cannot be
// read is left out and its error joined into the one returned.
func (c *Config) ParamValues() (map[string]any, error) {
	out := map[string]any{}
	seen := map[string]bool{}
	var errs []error
	for _, st := range c.Stages {
		for _, ref := range st.Params {
			if seen[ref.File] {
				continue
			}
			seen[ref.File] = true

			m, err := params.Load(filepath.Join(c.Root, ref.File))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for k, v := range params.Flatten(m) {
				if ref.File != params.DefaultFile {
					k = ref.File + ":" + k
				}
				out[k] = v
			}
		}
	}
	return out, errors.Join(errs...)
}
