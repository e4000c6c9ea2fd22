// Package remote is mlci's shared cache on S3-compatible object storage
// (AWS S3, MinIO, Ceph, SeaweedFS, versitygw, Google Cloud Storage in its
// interoperability mode). It pushes objects of the local cache and pulls
// them back, addressed by md5 as DVC's remotes address them
// (<prefix>/files/md5/ab/cdef…), so that mlci and DVC can share a remote,
// and it shares run-cache entries (<prefix>/mlci/runs/ab/cdef….json), so
// that a job whose stage inputs equal another's restores its outputs.
//
// Objects are immutable: an object the remote holds is never uploaded
// again. Transfers run in parallel and are retried; every download is
// checked against its md5 before it enters the local cache.
//
// It implements pipeline.Remote; deciding what to push or pull, and when,
// is package pipeline's work. Credentials come from the environment as the
// AWS tools read them and are never logged or printed.
package remote

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/pipeline"
)

// ErrNotFound is returned when an object is not in the remote.
var ErrNotFound = errors.New("not in the remote cache")

// ErrCorrupt is returned when a downloaded object does not match its md5;
// the bytes were discarded.
var ErrCorrupt = errors.New("object in the remote cache is corrupt")

// Options tune a Remote. The zero value works.
type Options struct {
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Workers is the number of objects transferred at once; 0 means 16.
	Workers int
	// Attempts is how often a failed transfer is tried; 0 means 4.
	Attempts int
	// PartSize is the part size of multipart uploads; 0 means 64 MiB.
	PartSize uint64
	// Transport overrides the HTTP transport (tests, proxies).
	Transport http.RoundTripper
	// Log receives diagnostics; nil discards them.
	Log *slog.Logger
}

// Remote is a bucket and prefix on an S3-compatible server.
type Remote struct {
	client   *minio.Client
	bucket   string
	prefix   string
	endpoint string
	opts     Options
	stats    counters
}

var _ pipeline.Remote = (*Remote)(nil)

// counters are the transfer statistics, updated by the workers.
type counters struct {
	uploaded, downloaded, present atomic.Int64
	bytesUp, bytesDown            atomic.Int64
}

// Stats count what a Remote transferred since it was opened.
type Stats struct {
	Uploaded   int   `json:"uploaded"`
	Downloaded int   `json:"downloaded"`
	Present    int   `json:"present"`
	BytesUp    int64 `json:"bytes_up"`
	BytesDown  int64 `json:"bytes_down"`
}

// Open returns the remote cfg describes. The endpoint, region and
// credentials not in cfg come from the environment: AWS_ENDPOINT_URL_S3 or
// AWS_ENDPOINT_URL, AWS_REGION or AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID with
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, else AWS_PROFILE's keys in
// the shared credentials file. It does not contact the server.
func Open(cfg config.Remote, opts Options) (*Remote, error) {
	opts = withDefaults(opts)
	bucket, prefix, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, exit.With(exit.Usage, err)
	}
	host, secure, custom, err := endpoint(cfg, opts.Getenv)
	if err != nil {
		return nil, exit.With(exit.Usage, err)
	}
	creds, source := credentialsFrom(opts.Getenv)

	mo := &minio.Options{Creds: creds, Secure: secure, Region: region(cfg, opts.Getenv),
		Transport: opts.Transport}
	if custom {
		mo.BucketLookup = minio.BucketLookupPath
	}
	if mo.Transport == nil {
		tr, err := minio.DefaultTransport(secure)
		if err != nil {
			return nil, fmt.Errorf("remote cache: %w", err)
		}
		tr.MaxIdleConnsPerHost = opts.Workers * 2
		mo.Transport = tr
	}
	client, err := minio.New(host, mo)
	if err != nil {
		return nil, exit.Usagef("remote cache %s: %v", cfg.URL, err)
	}
	opts.Log.Debug("remote cache", "bucket", bucket, "prefix", prefix, "endpoint", host,
		"credentials", source)
	return &Remote{client: client, bucket: bucket, prefix: prefix, endpoint: host,
		opts: opts}, nil
}

func withDefaults(o Options) Options {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Workers <= 0 {
		o.Workers = 16
	}
	if o.Attempts <= 0 {
		o.Attempts = 4
	}
	if o.PartSize == 0 {
		o.PartSize = 64 << 20
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// ParseURL splits s3://bucket/prefix into its bucket and prefix. Its errors
// never repeat credentials written into the URL.
func ParseURL(raw string) (bucket, prefix string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", errors.New("remote: the URL does not parse; expected s3://bucket/prefix")
	}
	if u.Scheme != "s3" || u.Host == "" {
		return "", "", fmt.Errorf("remote %q: expected s3://bucket/prefix", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		u.User = nil
		return "", "", fmt.Errorf("remote %q: expected s3://bucket/prefix, without "+
			"credentials, query or fragment (keys come from the environment)", u.Redacted())
	}
	prefix = strings.Trim(path.Clean("/"+u.Path), "/")
	return u.Host, prefix, nil
}

// endpoint returns the server's host[:port], whether to use TLS, and
// whether it is a custom (path-style) endpoint rather than AWS's.
func endpoint(cfg config.Remote, getenv func(string) string) (string, bool, bool, error) {
	raw := firstSet(cfg.Endpoint, getenv("AWS_ENDPOINT_URL_S3"), getenv("AWS_ENDPOINT_URL"))
	if raw == "" {
		return "s3.amazonaws.com", true, false, nil
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false, false, errors.New("remote endpoint: the URL does not parse; " +
			"expected http(s)://host[:port]")
	}
	if u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil ||
		strings.Trim(u.Path, "/") != "" {
		u.User = nil
		return "", false, false, fmt.Errorf("remote endpoint %q: expected "+
			"http(s)://host[:port] without a path", u.Redacted())
	}
	return u.Host, u.Scheme == "https", !strings.HasSuffix(u.Hostname(), "amazonaws.com"), nil
}

func region(cfg config.Remote, getenv func(string) string) string {
	return firstSet(cfg.Region, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"))
}

// credentialsFrom returns the credentials the environment gives, and where
// they come from (never the keys themselves): keys in the environment; a
// role to assume with a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE
// and AWS_ROLE_ARN, as Kubernetes service accounts give them); a container
// credentials endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI,
// as ECS and CodeBuild set); a profile of the shared credentials file; else
// none.
//
// TODO: the instance metadata of an EC2 runner is not asked: without any of
// the above, asking it would cost every anonymous remote a timeout.
func credentialsFrom(getenv func(string) string) (*credentials.Credentials, string) {
	id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if id != "" && secret != "" {
		return credentials.NewStaticV4(id, secret, getenv("AWS_SESSION_TOKEN")),
			"environment"
	}
	switch {
	case getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != "" && getenv("AWS_ROLE_ARN") != "":
		return credentials.NewIAM(""), "web identity (role " + getenv("AWS_ROLE_ARN") + ")"
	case getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != "" ||
		getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") != "":
		return credentials.NewIAM(""), "container credentials endpoint"
	}

	file := getenv("AWS_SHARED_CREDENTIALS_FILE")
	if home, err := os.UserHomeDir(); file == "" && err == nil {
		file = filepath.Join(home, ".aws", "credentials")
	}
	profile := firstSet(getenv("AWS_PROFILE"), "default")
	if _, err := os.Stat(file); err == nil {
		creds := credentials.NewFileAWSCredentials(file, profile)
		if v, err := creds.GetWithContext(nil); err == nil && v.AccessKeyID != "" {
			return creds, "profile " + profile + " of " + file
		}
	}
	return credentials.NewStatic("", "", "", credentials.SignatureAnonymous), "anonymous"
}

func firstSet(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// String names the remote for messages: s3://bucket/prefix at the endpoint.
func (r *Remote) String() string {
	return "s3://" + path.Join(r.bucket, r.prefix) + " at " + r.endpoint
}

// Stats returns what the remote transferred so far.
func (r *Remote) Stats() Stats {
	return Stats{
		Uploaded:   int(r.stats.uploaded.Load()),
		Downloaded: int(r.stats.downloaded.Load()),
		Present:    int(r.stats.present.Load()),
		BytesUp:    r.stats.bytesUp.Load(),
		BytesDown:  r.stats.bytesDown.Load(),
	}
}

// objectKey is where the object with hash md5 lives, as in DVC's remotes.
func (r *Remote) objectKey(md5 string) string {
	return path.Join(r.prefix, "files", "md5", md5[:2], md5[2:])
}

// runKey is where the run-cache entry under key lives.
func (r *Remote) runKey(key string) string {
	return path.Join(r.prefix, "mlci", "runs", key[:2], key[2:]+".json")
}

// validMD5 reports whether s is an md5 in hex, with ".dir" for a directory.
func validMD5(s string) bool {
	return isHex(strings.TrimSuffix(s, ".dir"), 32)
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
