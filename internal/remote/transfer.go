package remote

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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

// upload sends one object unless the remote has it: in one request, or in
// parts when it is larger than a part, resuming an upload a killed push
// left unfinished.
func (r *Remote) upload(ctx context.Context, c *cache.Cache, sum string) error {
	src := c.ObjectPath(sum)
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("pushing %s: not in the local cache: %w", sum, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("pushing %s: %w", sum, err)
	}
	key := r.objectKey(sum)

	return r.retry(ctx, "pushing "+sum, func() error {
		if ok, err := r.exists(ctx, key); err != nil {
			return fmt.Errorf("pushing %s: %w", sum, err)
		} else if ok {
			r.stats.present.Add(1)
			return nil
		}
		var err error
		if fi.Size() > int64(r.opts.PartSize) {
			err = r.putParts(ctx, key, f, fi.Size())
		} else {
			_, err = r.client.PutObject(ctx, r.bucket, key, io.NewSectionReader(f, 0, fi.Size()),
				fi.Size(), minio.PutObjectOptions{ContentType: "application/octet-stream",
					DisableMultipart: true})
		}
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
//
// TODO: a pulled output is written twice, into the cache and then, by the
// checkout, into the work tree (without reflinks, a full copy after the
// download); writing each arriving range to both would take the copy off
// the end of a large pull.
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

// Fetch downloads the one object sum into the local cache unless it is
// there: a directory's manifest without its files, unlike Pull. An object
// the remote lacks is ErrNotFound.
func (r *Remote) Fetch(ctx context.Context, c *cache.Cache, sum string) error {
	if !validMD5(sum) {
		return fmt.Errorf("fetching: %q is not an md5", sum)
	}
	if len(missing(c, []string{sum})) == 0 {
		return nil
	}
	return r.download(ctx, c, sum)
}

// Fetcher returns a function that fetches one object into the local cache
// at a directory, as metrics.FetchFunc does, from the remote open returns.
// open is called on every fetch: give it one that opens once (sync.OnceValues)
// and only when asked. An object the remote lacks is an error wrapping
// fs.ErrNotExist.
func Fetcher(open func() (*Remote, error)) func(ctx context.Context, dir, sum string) error {
	return func(ctx context.Context, dir, sum string) error {
		r, err := open()
		if err != nil {
			return err
		}
		ferr := r.Fetch(ctx, cache.Open(dir), sum)
		if errors.Is(ferr, ErrNotFound) {
			return fmt.Errorf("%w: %w", fs.ErrNotExist, ferr)
		}
		return ferr
	}
}

// missing returns the objects whose own file is not in the local cache.
func missing(c *cache.Cache, md5s []string) []string {
	return slices.DeleteFunc(slices.Clone(md5s), func(sum string) bool {
		_, err := os.Stat(c.ObjectPath(sum))
		return err == nil
	})
}

// download fetches one object into the local cache through a temporary
// file, which is renamed into place only when its md5 is right, and tells
// the cache it was verified, so that restoring it need not hash it again.
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
		c.Verified(sum)
		r.stats.downloaded.Add(1)
		r.stats.bytesDown.Add(n)
		return nil
	})
}

// exists reports whether the bucket holds an object at key.
func (r *Remote) exists(ctx context.Context, key string) (bool, error) {
	_, err := r.client.StatObject(ctx, r.bucket, key, minio.StatObjectOptions{})
	switch {
	case err == nil:
		return true, nil
	case isNotFound(err):
		return false, nil
	default:
		return false, err
	}
}

// rangeSize is the length of the ranged GetObject requests that download
// a large object: short enough that the ranges arrive almost in order, so
// that hashing them keeps up with the download, and long enough that the
// requests are few. Objects up to twice as long come in one request.
const rangeSize = 8 << 20

// rangeWorkers is how many ranges of one object are downloaded at once.
const rangeWorkers = 8

// copyBufferSize is the buffer of each copy from the network or the disk;
// larger than io.Copy's, it takes fewer system calls per byte.
const copyBufferSize = 1 << 20

// fetch writes the object at key to dst when its md5 is want. It hashes
// the object as it arrives, so that checking it costs no second read.
func (r *Remote) fetch(ctx context.Context, key, dst, want string) (int64, error) {
	info, err := r.client.StatObject(ctx, r.bucket, key, minio.StatObjectOptions{})
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
	if info.Size > 2*rangeSize {
		err = r.fetchRanges(ctx, key, info.Size, tmp, h)
	} else {
		err = r.copyObject(ctx, key, info.Size, io.MultiWriter(tmp, h))
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
	return info.Size, os.Rename(tmp.Name(), dst)
}

// fetchRanges downloads the size bytes of the object at key into f with
// parallel ranged GetObject requests, and feeds them to h in order. Each
// range is read into memory, written to f and hashed from memory, so that
// the file is never read back; a few ranges more than there are workers
// wait in memory for those before them.
func (r *Remote) fetchRanges(ctx context.Context, key string, size int64, f *os.File,
	h io.Writer) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	count := int((size + rangeSize - 1) / rangeSize)
	arrived := make([]chan []byte, count)
	for i := range arrived {
		arrived[i] = make(chan []byte, 1)
	}
	// A worker takes a buffer before it takes a range, so that the range
	// the hasher waits for always has one.
	free := make(chan []byte, min(count, rangeWorkers+2))
	for range cap(free) {
		free <- make([]byte, rangeSize)
	}

	next := make(chan int)
	wg.Go(func() {
		defer close(next)
		for i := range count {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	})
	for range min(rangeWorkers, count) {
		wg.Go(func() {
			for {
				var buf []byte
				select {
				case buf = <-free:
				case <-ctx.Done():
					return
				}
				i, ok := <-next
				if !ok {
					return
				}
				part, err := r.fetchRange(ctx, key, f, int64(i)*rangeSize, size, buf)
				if err != nil {
					cancel(err)
					return
				}
				arrived[i] <- part
			}
		})
	}

	for i := range count {
		var part []byte
		select {
		case part = <-arrived[i]:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		if _, err := h.Write(part); err != nil {
			cancel(err)
			return err
		}
		free <- part[:cap(part)]
	}
	return nil
}

// fetchRange reads the range at off of the object at key, of size bytes,
// into buf, writes it to the same offset in f and returns it.
func (r *Remote) fetchRange(ctx context.Context, key string, f *os.File, off, size int64,
	buf []byte) ([]byte, error) {
	n := min(rangeSize, size-off)
	opts := minio.GetObjectOptions{}
	if err := opts.SetRange(off, off+n-1); err != nil {
		return nil, err
	}
	body, _, _, err := minio.Core{Client: r.client}.GetObject(ctx, r.bucket, key, opts)
	if err != nil {
		return nil, err
	}
	defer body.Close()

	part := buf[:n]
	if got, err := io.ReadFull(body, part); err != nil {
		return nil, fmt.Errorf("the server sent %d bytes of %d: %w", got, n, err)
	}
	if _, err := f.WriteAt(part, off); err != nil {
		return nil, err
	}
	return part, nil
}

// copyObject copies the object at key, of n bytes, to w in one request.
func (r *Remote) copyObject(ctx context.Context, key string, n int64, w io.Writer) error {
	body, _, _, err := minio.Core{Client: r.client}.GetObject(ctx, r.bucket, key,
		minio.GetObjectOptions{})
	if err != nil {
		return err
	}
	defer body.Close()
	buf := make([]byte, min(n+1, copyBufferSize))
	got, err := io.CopyBuffer(w, io.LimitReader(body, n), buf)
	if err != nil {
		return err
	}
	if got != n {
		return fmt.Errorf("the server sent %d bytes of %d: %w", got, n, io.ErrUnexpectedEOF)
	}
	return nil
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
