package remote

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/mlci-dev/mlci/internal/pipeline/cache"
	"github.com/mlci-dev/mlci/internal/pipeline/digest"
)

// Push uploads the named objects the remote lacks from the local cache c,
// a directory's files before its manifest, so that a manifest on the
// remote always comes with its files. An upload killed half-way leaves no
// object behind; pushing again sends only what is missing.
//
// It stats each object first (S3 HeadObject) and uploads with PutObject,
// in parts (CreateMultipartUpload, UploadPart, CompleteMultipartUpload)
// for large files.
func (r *Remote) Push(ctx context.Context, c *cache.Cache, md5s []string) error {
	files, dirs, err := r.expandLocal(c, md5s)
	if err != nil {
		return err
	}
	if err := r.each(ctx, files, func(ctx context.Context, sum string) error {
		return r.upload(ctx, c, sum)
	}); err != nil {
		return err
	}
	return r.each(ctx, dirs, func(ctx context.Context, sum string) error {
		return r.upload(ctx, c, sum)
	})
}

// expandLocal splits md5s into files and directory manifests, adding the
// files each local manifest lists.
func (r *Remote) expandLocal(c *cache.Cache, md5s []string) (files, dirs []string, err error) {
	for _, sum := range dedupe(md5s) {
		if !validMD5(sum) {
			return nil, nil, fmt.Errorf("pushing: %q is not an md5", sum)
		}
		if !strings.HasSuffix(sum, digest.DirSuffix) {
			files = append(files, sum)
			continue
		}
		entries, err := readManifest(c.ObjectPath(sum))
		if err != nil {
			return nil, nil, fmt.Errorf("pushing directory %s: %w", sum, err)
		}
		dirs = append(dirs, sum)
		for _, e := range entries {
			files = append(files, e.MD5)
		}
	}
	return dedupe(files), dirs, nil
}

func readManifest(path string) ([]digest.Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the manifest: %w", err)
	}
	entries, err := digest.ParseManifest(data)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !validMD5(e.MD5) || strings.HasSuffix(e.MD5, digest.DirSuffix) {
			return nil, fmt.Errorf("manifest %s: bad md5 %q", path, e.MD5)
		}
	}
	return entries, nil
}

// upload sends one object unless the remote has it.
//
// TODO: a killed multipart upload is started again from its first part, and
// its parts stay on the server until a lifecycle rule aborts incomplete
// uploads; resuming through ListMultipartUploads and ListParts would save
// the parts already sent.
func (r *Remote) upload(ctx context.Context, c *cache.Cache, sum string) error {
	src := c.ObjectPath(sum)
	fi, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("pushing %s: not in the local cache: %w", sum, err)
	}
	key := r.objectKey(sum)

	return r.retry(ctx, "pushing "+sum, func() error {
		if _, err := r.client.StatObject(ctx, r.bucket, key, minio.StatObjectOptions{}); err == nil {
			r.stats.present.Add(1)
			return nil
		} else if !isNotFound(err) {
			return fmt.Errorf("pushing %s: %w", sum, err)
		}
		_, err := r.client.FPutObject(ctx, r.bucket, key, src, minio.PutObjectOptions{
			ContentType: "application/octet-stream",
			PartSize:    r.opts.PartSize,
			NumThreads:  8,
		})
		if err != nil {
			return fmt.Errorf("pushing %s: %w", sum, err)
		}
		r.stats.uploaded.Add(1)
		r.stats.bytesUp.Add(fi.Size())
		return nil
	})
}

// Pull downloads the named objects the local cache c lacks, directory
// manifests first, then the files they list. Each object is checked
// against its md5 as it arrives; a corrupt one is discarded and reported
// (ErrCorrupt), one the remote lacks is reported as ErrNotFound.
//
// It downloads with GetObject.
func (r *Remote) Pull(ctx context.Context, c *cache.Cache, md5s []string) error {
	var files, dirs []string
	for _, sum := range dedupe(md5s) {
		if !validMD5(sum) {
			return fmt.Errorf("pulling: %q is not an md5", sum)
		}
		if strings.HasSuffix(sum, digest.DirSuffix) {
			dirs = append(dirs, sum)
		} else {
			files = append(files, sum)
		}
	}
	if err := r.each(ctx, missing(c, dirs), func(ctx context.Context, sum string) error {
		return r.download(ctx, c, sum)
	}); err != nil {
		return err
	}
	for _, sum := range dirs {
		entries, err := readManifest(c.ObjectPath(sum))
		if err != nil {
			return fmt.Errorf("pulling directory %s: %w", sum, err)
		}
		for _, e := range entries {
			files = append(files, e.MD5)
		}
	}
	return r.each(ctx, missing(c, dedupe(files)), func(ctx context.Context, sum string) error {
		return r.download(ctx, c, sum)
	})
}

// missing returns the objects whose own file is not in the local cache.
func missing(c *cache.Cache, md5s []string) []string {
	return slices.DeleteFunc(slices.Clone(md5s), func(sum string) bool {
		_, err := os.Stat(c.ObjectPath(sum))
		return err == nil
	})
}

// download fetches one object into the local cache through a temporary
// file, which is renamed into place only when its md5 is right.
func (r *Remote) download(ctx context.Context, c *cache.Cache, sum string) error {
	dst := c.ObjectPath(sum)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("pulling %s: %w", sum, err)
	}
	return r.retry(ctx, "pulling "+sum, func() error {
		n, err := r.fetch(ctx, r.objectKey(sum), dst, strings.TrimSuffix(sum, digest.DirSuffix))
		if err != nil {
			return fmt.Errorf("pulling %s: %w", sum, err)
		}
		r.stats.downloaded.Add(1)
		r.stats.bytesDown.Add(n)
		return nil
	})
}

// fetch writes the object at key to dst when its md5 is want. An object
// larger than a part comes in parts over parallel ranged requests.
func (r *Remote) fetch(ctx context.Context, key, dst, want string) (int64, error) {
	obj, err := r.client.GetObject(ctx, r.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return 0, err
	}
	defer obj.Close()
	info, err := obj.Stat()
	if err != nil {
		return 0, notFound(err)
	}

	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()

	h := md5.New()
	var n int64
	if info.Size > int64(r.opts.PartSize) {
		n, err = r.fetchParts(ctx, key, info.Size, tmp, h)
	} else {
		n, err = io.Copy(io.MultiWriter(tmp, h), obj)
	}
	if err != nil {
		return 0, notFound(err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return 0, fmt.Errorf("%w: its content hashes to %s; it was discarded", ErrCorrupt, got)
	}
	if err := tmp.Chmod(0o444); err != nil {
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	return n, os.Rename(tmp.Name(), dst)
}

// fetchParts downloads size bytes of the object at key into f with
// parallel ranged GetObject requests, then hashes f into h.
//
// TODO: the second pass over f costs about a second per GiB; hashing each
// part as it arrives, in order, would save it, and the checkout's own md5
// pass could trust an object verified a moment ago.
func (r *Remote) fetchParts(ctx context.Context, key string, size int64, f *os.File,
	h io.Writer) (int64, error) {
	part := int64(r.opts.PartSize)
	var offsets []string
	for off := int64(0); off < size; off += part {
		offsets = append(offsets, strconv.FormatInt(off, 10))
	}
	err := r.each(ctx, offsets, func(ctx context.Context, s string) error {
		off, _ := strconv.ParseInt(s, 10, 64)
		opts := minio.GetObjectOptions{}
		if err := opts.SetRange(off, min(off+part, size)-1); err != nil {
			return err
		}
		obj, err := r.client.GetObject(ctx, r.bucket, key, opts)
		if err != nil {
			return err
		}
		defer obj.Close()
		_, err = io.Copy(io.NewOffsetWriter(f, off), obj)
		return err
	})
	if err != nil {
		return 0, err
	}
	return io.Copy(h, io.NewSectionReader(f, 0, size))
}

// each calls fn for every item with the remote's workers, stopping early
// when ctx ends. The errors of the items that failed are joined.
func (r *Remote) each(ctx context.Context, items []string,
	fn func(context.Context, string) error) error {
	next := make(chan string)
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for range min(r.opts.Workers, len(items)) {
		wg.Go(func() {
			for item := range next {
				if err := fn(ctx, item); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
feed:
	for _, item := range items {
		select {
		case next <- item:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()

	if len(errs) == 0 {
		return ctx.Err()
	}
	return summarize(errs)
}

// summarize joins the first errors and counts the rest.
func summarize(errs []error) error {
	const shown = 5
	if len(errs) <= shown {
		return errors.Join(errs...)
	}
	more := fmt.Errorf("and %d more object(s) failed", len(errs)-shown)
	return errors.Join(append(errs[:shown:shown], more)...)
}

// retry calls fn until it succeeds, its error is final, or the attempts
// are used up, waiting longer after each failure.
func (r *Remote) retry(ctx context.Context, what string, fn func() error) error {
	wait := 500 * time.Millisecond
	var err error
	for attempt := 1; ; attempt++ {
		if err = fn(); err == nil || attempt == r.opts.Attempts || !retryable(ctx, err) {
			return err
		}
		r.opts.Log.Debug("retrying", "what", what, "attempt", attempt, "err", err)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return err
		}
		wait *= 2
	}
}

// retryable reports whether another attempt may succeed.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNotFound) {
		return false
	}
	switch minio.ToErrorResponse(err).Code {
	case "AccessDenied", "NoSuchBucket", "InvalidAccessKeyId", "SignatureDoesNotMatch":
		return false
	}
	return true
}

// isNotFound reports whether err says the object does not exist.
func isNotFound(err error) bool {
	code := minio.ToErrorResponse(err).Code
	return code == "NoSuchKey" || code == "NotFound"
}

// notFound turns a missing-object error into ErrNotFound.
func notFound(err error) error {
	if isNotFound(err) {
		return fmt.Errorf("%w (%v)", ErrNotFound, err)
	}
	return err
}

func dedupe(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}
