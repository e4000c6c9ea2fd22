package cache

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/mlci-dev/mlci/internal/pipeline/atomicfile"
	"github.com/mlci-dev/mlci/internal/pipeline/digest"
)

// Run is a run-cache entry: what one real run of a stage produced from the
// inputs its key stands for, and how long it took.
type Run struct {
	Stage   string    `json:"stage"`
	Outs    []RunOut  `json:"outs"`
	Seconds float64   `json:"seconds"`
	Created time.Time `json:"created"`
}

// RunOut is one output of a cached run.
type RunOut struct {
	Path string `json:"path"`
	digest.Info
}

func (c *Cache) runPath(key string) string {
	return filepath.Join(c.dir, "runs", key[:2], key[2:]+".json")
}

// LookupRun returns the run cached under key, or nil when there is none or
// when any of its outputs has left the cache.
func (c *Cache) LookupRun(key string) (*Run, error) {
	r, err := c.ReadRun(key)
	if r == nil || err != nil {
		return nil, err
	}
	for _, o := range r.Outs {
		if !c.Has(o.MD5) {
			return nil, nil
		}
	}
	return r, nil
}

// ReadRun returns the run-cache entry under key, or nil when there is none,
// without checking that its outputs are still cached.
func (c *Cache) ReadRun(key string) (*Run, error) {
	data, err := os.ReadFile(c.runPath(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading run cache: %w", err)
	}

	var r Run
	if err := json.Unmarshal(data, &r); err != nil {
		// A damaged entry is as good as none; the stage runs again.
		return nil, nil
	}
	return &r, nil
}

// SaveRun records r under key.
func (c *Cache) SaveRun(key string, r *Run) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding run cache entry: %w", err)
	}
	return atomicfile.Write(c.runPath(key), data, 0o644)
}
