package remote

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/minio/minio-go/v7"
)

// partWorkers is how many parts of one object are uploaded at once.
const partWorkers = 8

// part is one part of a multipart upload: its number (from 1), where it
// starts in the file, and its length.
type part struct {
	number int
	off    int64
	size   int64
}

// putParts uploads f, of size bytes, to key in parts of the remote's part
// size. It resumes the newest unfinished upload of key that an earlier,
// killed push left: the parts there whose md5 (their ETag) and length match
// the file's are kept, and only the others are sent.
func (r *Remote) putParts(ctx context.Context, key string, f *os.File, size int64) error {
	core := minio.Core{Client: r.client}
	parts := split(size, int64(r.opts.PartSize))

	id, kept, err := r.unfinished(ctx, core, key, f, parts)
	if err != nil {
		return err
	}
	if id == "" {
		id, err = core.NewMultipartUpload(ctx, r.bucket, key,
			minio.PutObjectOptions{ContentType: "application/octet-stream"})
		if err != nil {
			return fmt.Errorf("starting the upload: %w", err)
		}
	} else {
		r.opts.Log.Debug("resuming an upload", "key", key, "parts_kept", len(kept),
			"parts", len(parts))
	}

	etags, err := r.sendParts(ctx, core, key, id, f, parts, kept)
	if err != nil {
		return err
	}
	done := make([]minio.CompletePart, len(parts))
	for i, p := range parts {
		done[i] = minio.CompletePart{PartNumber: p.number, ETag: etags[i]}
	}
	_, err = core.CompleteMultipartUpload(ctx, r.bucket, key, id, done,
		minio.PutObjectOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return fmt.Errorf("completing the upload: %w", err)
	}
	return nil
}

// split cuts size bytes into parts of partSize (the last one shorter).
func split(size, partSize int64) []part {
	var parts []part
	for off := int64(0); off < size; off += partSize {
		parts = append(parts, part{number: len(parts) + 1, off: off,
			size: min(partSize, size-off)})
	}
	return parts
}

// unfinished finds the newest unfinished upload of key and returns its ID
// with the ETags of its parts that match parts of f (the same length and
// md5), by part number; "" when there is none.
func (r *Remote) unfinished(ctx context.Context, core minio.Core, key string, f *os.File,
	parts []part) (string, map[int]string, error) {
	res, err := core.ListMultipartUploads(ctx, r.bucket, key, "", "", "", 1000)
	if err != nil {
		return "", nil, fmt.Errorf("listing unfinished uploads: %w", err)
	}
	var newest *minio.ObjectMultipartInfo
	for i, u := range res.Uploads {
		if u.Key == key && (newest == nil || u.Initiated.After(newest.Initiated)) {
			newest = &res.Uploads[i]
		}
	}
	if newest == nil {
		return "", nil, nil
	}

	kept := map[int]string{}
	marker := 0
	for {
		list, err := core.ListObjectParts(ctx, r.bucket, key, newest.UploadID, marker, 1000)
		if err != nil {
			return "", nil, fmt.Errorf("listing the parts of an unfinished upload: %w", err)
		}
		for _, op := range list.ObjectParts {
			i := op.PartNumber - 1
			if i < 0 || i >= len(parts) || op.Size != parts[i].size {
				continue
			}
			sum, err := parts[i].md5(f)
			if err != nil {
				return "", nil, err
			}
			etag := strings.Trim(op.ETag, `"`)
			if strings.EqualFold(etag, sum) {
				kept[op.PartNumber] = etag
			}
		}
		if !list.IsTruncated {
			return newest.UploadID, kept, nil
		}
		marker = list.NextPartNumberMarker
	}
}

// md5 returns the hex md5 of the part of f, as S3 gives a part's ETag.
func (p part) md5(f *os.File) (string, error) {
	h := md5.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, p.off, p.size)); err != nil {
		return "", fmt.Errorf("reading part %d: %w", p.number, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// sendParts uploads the parts not kept, partWorkers at a time, and returns
// every part's ETag in order. After a part fails no other is started, but
// those under way finish, so that a resumed upload finds them.
func (r *Remote) sendParts(ctx context.Context, core minio.Core, key, id string, f *os.File,
	parts []part, kept map[int]string) ([]string, error) {
	etags := make([]string, len(parts))
	var todo []int
	for i, p := range parts {
		if etag, ok := kept[p.number]; ok {
			etags[i] = etag
		} else {
			todo = append(todo, i)
		}
	}

	var (
		mu     sync.Mutex
		failed error
		wg     sync.WaitGroup
	)
	next := make(chan int)
	for range min(partWorkers, len(todo)) {
		wg.Go(func() {
			for i := range next {
				etag, err := r.sendPart(ctx, core, key, id, f, parts[i])
				mu.Lock()
				if err != nil && failed == nil {
					failed = err
				}
				etags[i] = etag
				mu.Unlock()
			}
		})
	}
	for _, i := range todo {
		mu.Lock()
		stop := failed != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()

	if failed == nil && ctx.Err() != nil {
		failed = ctx.Err()
	}
	return etags, failed
}

// sendPart uploads one part. The request is signed with the part's
// SHA-256 (or, over TLS, carries a CRC of it), which the server checks.
func (r *Remote) sendPart(ctx context.Context, core minio.Core, key, id string, f *os.File,
	p part) (string, error) {
	op, err := core.PutObjectPart(ctx, r.bucket, key, id, p.number,
		io.NewSectionReader(f, p.off, p.size), p.size, minio.PutObjectPartOptions{})
	if err != nil {
		return "", fmt.Errorf("sending part %d: %w", p.number, err)
	}
	return strings.Trim(op.ETag, `"`), nil
}
