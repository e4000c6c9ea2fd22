package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/minio/minio-go/v7"

	"github.com/mlci-dev/mlci/internal/pipeline/cache"
)

// maxRunEntry bounds the size of a run-cache entry read from the remote.
const maxRunEntry = 1 << 20

// PushRun uploads the local run-cache entry under key unless the remote has
// one: the first entry recorded for a set of inputs stays, so that every
// job restoring it gets the same outputs. Push the entry's outputs first.
//
// It uses HeadObject and PutObject.
func (r *Remote) PushRun(ctx context.Context, c *cache.Cache, key string) error {
	if !isHex(key, 64) {
		return fmt.Errorf("pushing run-cache entry: %q is not a run key", key)
	}
	run, err := c.ReadRun(key)
	if err != nil {
		return err
	}
	if run == nil {
		return fmt.Errorf("pushing run-cache entry %s: not in the local cache", key[:12])
	}
	data, err := json.MarshalIndent(run, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding run-cache entry: %w", err)
	}

	obj := r.runKey(key)
	return r.retry(ctx, "pushing run "+key[:12], func() error {
		if ok, err := r.exists(ctx, obj); err != nil {
			return fmt.Errorf("pushing run-cache entry %s: %w", key[:12], err)
		} else if ok {
			return nil
		}
		_, err := r.client.PutObject(ctx, r.bucket, obj, bytes.NewReader(data),
			int64(len(data)), minio.PutObjectOptions{ContentType: "application/json"})
		if err != nil {
			return fmt.Errorf("pushing run-cache entry %s: %w", key[:12], err)
		}
		return nil
	})
}

// PullRun downloads the run-cache entry under key into the local cache; it
// is not an error when the remote has none. It does not fetch the outputs
// the entry names.
//
// It uses GetObject.
func (r *Remote) PullRun(ctx context.Context, c *cache.Cache, key string) error {
	if !isHex(key, 64) {
		return fmt.Errorf("pulling run-cache entry: %q is not a run key", key)
	}
	var run *cache.Run
	err := r.retry(ctx, "pulling run "+key[:12], func() error {
		var err error
		run, err = r.readRun(ctx, key)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("pulling run-cache entry %s: %w", key[:12], err)
	}
	return c.SaveRun(key, run)
}

func (r *Remote) readRun(ctx context.Context, key string) (*cache.Run, error) {
	obj, err := r.client.GetObject(ctx, r.bucket, r.runKey(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, notFound(err)
	}
	defer obj.Close()
	data, err := io.ReadAll(io.LimitReader(obj, maxRunEntry))
	if err != nil {
		return nil, notFound(err)
	}

	var run cache.Run
	if err := json.Unmarshal(data, &run); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	for _, o := range run.Outs {
		if !validMD5(o.MD5) {
			return nil, fmt.Errorf("%w: output %s has md5 %q", ErrCorrupt, o.Path, o.MD5)
		}
	}
	return &run, nil
}
