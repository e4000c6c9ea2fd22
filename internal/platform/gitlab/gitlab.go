// Package gitlab is mlci's platform for GitLab CI. It reads the CI event from
// GitLab's predefined variables, publishes the report as one sticky
// merge-request note per report key and a commit status named mlci, records
// promotions as deployments, answers merge-request note commands, opens merge
// requests for continuous training, and writes GitLab's report artefacts (a
// dotenv file for later jobs, an OpenMetrics file, the gates' JUnit XML).
//
// It talks to the API through gitlab.com/gitlab-org/api/client-go with its
// retries configured and bounded. It does not render reports, judge gates or
// parse commands; the report, gate and command packages do.
package gitlab

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/mlci-dev/mlci/internal/platform"
)

var (
	_ platform.Platform   = (*Client)(nil)
	_ platform.Outputs    = (*Client)(nil)
	_ platform.Deployer   = (*Client)(nil)
	_ platform.Commander  = (*Client)(nil)
	_ platform.Proposer   = (*Client)(nil)
	_ platform.FileLister = (*Client)(nil)
)

// ErrNoToken is returned by calls that need an API token with write access
// when the job has none (only CI_JOB_TOKEN, which cannot write notes).
var ErrNoToken = errors.New("no GitLab API token: set MLCI_GITLAB_TOKEN " +
	"to a project access token with the api scope")

// tokenAdvice is the warning shown once when only CI_JOB_TOKEN is available.
const tokenAdvice = "no MLCI_GITLAB_TOKEN or GITLAB_TOKEN, and CI_JOB_TOKEN cannot write " +
	"merge-request notes, commit statuses or deployments: the report is in the job's " +
	"artefacts only. Create a project access token (Settings > Access tokens) with the " +
	"api scope and the Developer role (Reporter is enough for notes alone), and store it " +
	"as a masked CI/CD variable named MLCI_GITLAB_TOKEN"

// Options tune the client. The zero value is usable.
type Options struct {
	// HTTPClient sends the requests; a pooled client by default.
	HTTPClient *http.Client
	// Log receives diagnostics; nothing is logged when nil.
	Log *slog.Logger
	// Sleep replaces the wait between mlci's own attempts to create a note,
	// for tests: it is called with each wait and returns at once. The
	// retries of single requests wait in client-go, bounded by RetryWaitMax.
	Sleep func(time.Duration)
	// Dir is the project directory the report artefacts are written under;
	// CI_PROJECT_DIR, else the working directory, by default.
	Dir string
	// RetryMax is how many times one request is retried on a 5xx or 429;
	// 4 by default.
	RetryMax int
	// RetryWaitMin and RetryWaitMax bound the wait before a retry; an
	// answer's Retry-After is honoured up to RetryWaitMax. 500ms and 30s by
	// default.
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	// Timeout bounds one operation with all its retries; 2 minutes by default.
	Timeout time.Duration
}

func (o *Options) defaults(getenv func(string) string) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Dir == "" {
		o.Dir = getenv("CI_PROJECT_DIR")
	}
	if o.RetryMax == 0 {
		o.RetryMax = 4
	}
	if o.RetryWaitMin == 0 {
		o.RetryWaitMin = 500 * time.Millisecond
	}
	if o.RetryWaitMax == 0 {
		o.RetryWaitMax = 30 * time.Second
	}
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Minute
	}
}

// Client is the GitLab platform for one CI job.
type Client struct {
	api    *gl.Client
	getenv func(string) string
	opts   Options
	log    *slog.Logger
	// write is false when the job has only CI_JOB_TOKEN.
	write bool

	warnOnce sync.Once
	mu       sync.Mutex
	outputs  map[string]string
	self     string // the token's username, once known
}

// Detect reports whether mlci runs in a GitLab CI job.
func Detect(getenv func(string) string) bool {
	return getenv("GITLAB_CI") == "true"
}

// New returns the platform for the job getenv describes. The API token is
// MLCI_GITLAB_TOKEN, else GITLAB_TOKEN; with neither, the client reads
// what CI_JOB_TOKEN allows and publishes only the report files. The API is
// CI_API_V4_URL (https://gitlab.com/api/v4 when unset).
func New(_ context.Context, getenv func(string) string, opts Options) (*Client, error) {
	opts.defaults(getenv)
	c := &Client{getenv: getenv, opts: opts, log: opts.Log}

	token := firstSet(getenv, "MLCI_GITLAB_TOKEN", "GITLAB_TOKEN")
	c.write = token != ""
	api, err := newAPI(token, getenv("CI_JOB_TOKEN"), c.apiOptions(getenv))
	if err != nil {
		return nil, fmt.Errorf("setting up the GitLab API client: %w", err)
	}
	c.api = api
	return c, nil
}

// newAPI picks the authentication: a token with write access, the job
// token for reads, or none.
func newAPI(token, jobToken string, opts []gl.ClientOptionFunc) (*gl.Client, error) {
	switch {
	case token != "":
		return gl.NewClient(token, opts...)
	case jobToken != "":
		return gl.NewJobClient(jobToken, opts...)
	default:
		return gl.NewClient("", opts...)
	}
}

// apiOptions configure client-go's retryablehttp: retries on 5xx and 429,
// a backoff that honours Retry-After, and logs without secrets.
func (c *Client) apiOptions(getenv func(string) string) []gl.ClientOptionFunc {
	opts := []gl.ClientOptionFunc{
		gl.WithCustomRetryMax(c.opts.RetryMax),
		gl.WithCustomRetryWaitMinMax(c.opts.RetryWaitMin, c.opts.RetryWaitMax),
		gl.WithCustomBackoff(c.backoff),
		gl.WithCustomLeveledLogger(debugLogger{c.log}),
		gl.WithURLWarningLogger(c.log),
		gl.WithUserAgent("mlci"),
	}
	if u := getenv("CI_API_V4_URL"); u != "" {
		opts = append(opts, gl.WithBaseURL(u))
	}
	if c.opts.HTTPClient != nil {
		opts = append(opts, gl.WithHTTPClient(c.opts.HTTPClient))
	}
	return opts
}

// backoff is how long to wait before retry attempt n: the answer's
// Retry-After on a 429 or 503, else an exponential wait with jitter; both at
// most max.
func (c *Client) backoff(minWait, maxWait time.Duration, n int, resp *http.Response) time.Duration {
	d, ok := retryAfter(resp)
	if !ok {
		d = minWait << min(n, 20)
		d += time.Duration(rand.Int64N(int64(d)/2 + 1))
	}
	d = min(d, maxWait)
	if resp != nil && resp.Request != nil {
		c.log.Warn("GitLab API busy; retrying", "status", resp.StatusCode,
			"path", resp.Request.URL.Path, "wait", d)
	}
	return d
}

// retryAfter reads the Retry-After header of a 429 or 503 answer: seconds,
// as GitLab sends them, or an HTTP date, as a proxy in front of it may.
func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	if resp.StatusCode != http.StatusTooManyRequests &&
		resp.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	v := resp.Header.Get("Retry-After")
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0), true
	}
	return 0, false
}

// unprocessedOnly is the retry rule for requests that must not run twice
// (creating a note): retry only when GitLab surely did not act on it.
func unprocessedOnly(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil || resp == nil {
		return false, nil
	}
	return resp.StatusCode == http.StatusTooManyRequests, nil
}

// Name returns "gitlab".
func (c *Client) Name() string { return "gitlab" }

// CanWrite reports whether the client has a token that can write notes,
// statuses and deployments.
func (c *Client) CanWrite() bool { return c.write }

// bounded returns ctx limited to one operation's time, with its retries.
func (c *Client) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.opts.Timeout)
}

// needWrite warns once and returns ErrNoToken when the client cannot write.
func (c *Client) needWrite() error {
	if c.write {
		return nil
	}
	c.warnOnce.Do(func() { c.log.Warn(tokenAdvice) })
	return ErrNoToken
}

// path resolves a path relative to the project directory.
func (c *Client) path(rel string) string {
	return filepath.Join(c.opts.Dir, filepath.FromSlash(rel))
}

func firstSet(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// wait waits d, or less when ctx ends first; Options.Sleep replaces it.
func (c *Client) wait(ctx context.Context, d time.Duration) error {
	if c.opts.Sleep != nil {
		c.opts.Sleep(d)
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// debugLogger sends retryablehttp's chatter to slog at debug level.
type debugLogger struct{ log *slog.Logger }

func (l debugLogger) Error(msg string, kv ...any) { l.log.Debug(msg, kv...) }
func (l debugLogger) Info(msg string, kv ...any)  { l.log.Debug(msg, kv...) }
func (l debugLogger) Debug(msg string, kv ...any) { l.log.Debug(msg, kv...) }
func (l debugLogger) Warn(msg string, kv ...any)  { l.log.Debug(msg, kv...) }

var _ retryablehttp.LeveledLogger = debugLogger{}
