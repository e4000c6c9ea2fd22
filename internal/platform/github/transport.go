package github

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// retrier is the HTTP transport under go-github. It waits out rate limits
// the way GitHub documents them and retries idempotent requests that fail
// with a server error or a timeout, within a bounded total wait. A POST is
// not retried after a server error or a timeout, since the server may have
// done it: the callers look before they write again (see again).
type retrier struct {
	next     http.RoundTripper
	wait     func(context.Context, time.Duration) error
	now      func() time.Time
	log      *slog.Logger
	attempts int
	maxWait  time.Duration
	timeout  time.Duration

	mu       sync.Mutex
	resumeAt time.Time // the primary rate limit is spent until then
}

func (c *Client) transport(opts Options) *retrier {
	t := &retrier{
		next:     http.DefaultTransport,
		wait:     c.wait,
		now:      opts.Now,
		log:      c.log,
		attempts: opts.Attempts,
		maxWait:  opts.MaxWait,
		timeout:  opts.RequestTimeout,
	}
	if opts.HTTPClient != nil && opts.HTTPClient.Transport != nil {
		t.next = opts.HTTPClient.Transport
	}
	if t.now == nil {
		t.now = time.Now
	}
	if t.attempts <= 0 {
		t.attempts = 5
	}
	if t.maxWait <= 0 {
		t.maxWait = 3 * time.Minute
	}
	if t.timeout <= 0 {
		t.timeout = 30 * time.Second
	}
	return t
}

// RoundTrip sends req, trying again as the response or error allows.
func (t *retrier) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := rewindable(req); err != nil {
		return nil, err
	}
	waited := time.Duration(0)
	for attempt := 1; ; attempt++ {
		d, err := t.holdOff(waited)
		if err != nil {
			return nil, err
		}
		if err := t.sleep(req.Context(), d, &waited); err != nil {
			return nil, err
		}

		resp, err := t.try(req)
		delay, again := t.decide(req, resp, err, attempt)
		if !again || attempt >= t.attempts || waited+delay > t.maxWait {
			t.giveUp(req, resp, again, attempt)
			return resp, err
		}

		discard(resp)
		t.log.Debug("retrying a GitHub API request", "method", req.Method,
			"path", req.URL.Path, "attempt", attempt, "wait", delay, "error", err)
		if err := t.sleep(req.Context(), delay, &waited); err != nil {
			return nil, err
		}
	}
}

func (t *retrier) sleep(ctx context.Context, d time.Duration, waited *time.Duration) error {
	if d <= 0 {
		return nil
	}
	*waited += d
	return t.wait(ctx, d)
}

// holdOff returns how long to wait before the next request while the
// primary rate limit is spent, or an error when that is past the bound.
func (t *retrier) holdOff(waited time.Duration) (time.Duration, error) {
	t.mu.Lock()
	until := t.resumeAt
	t.mu.Unlock()

	d := until.Sub(t.now())
	if d <= 0 {
		return 0, nil
	}
	if waited+d > t.maxWait {
		return 0, fmt.Errorf("GitHub API rate limit spent until %s, past mlci's %s wait",
			until.UTC().Format(time.RFC3339), t.maxWait)
	}
	return d, nil
}

// try sends one copy of req with its own time limit, which lasts until the
// response body is closed.
func (t *retrier) try(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	r := req.Clone(ctx)
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			cancel()
			return nil, fmt.Errorf("rewinding the request body: %w", err)
		}
		r.Body = body
	}

	resp, err := t.next.RoundTrip(r)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	t.note(resp)
	return resp, nil
}

// note remembers a spent primary rate limit from a successful response, so
// that the next request waits for the reset. It then drops the reset header
// that go-github would use to refuse the next request by the wall clock
// before this transport had the chance to wait.
func (t *retrier) note(resp *http.Response) {
	if resp.StatusCode >= 400 || resp.Header.Get("X-Ratelimit-Remaining") != "0" {
		return
	}
	reset, ok := resetTime(resp)
	if !ok {
		return
	}
	t.mu.Lock()
	t.resumeAt = reset
	t.mu.Unlock()
	resp.Header.Del("X-Ratelimit-Reset")
}

// decide says whether and after how long to send the request again.
func (t *retrier) decide(req *http.Request, resp *http.Response, err error,
	attempt int) (time.Duration, bool) {
	if err != nil {
		if req.Context().Err() != nil || !idempotent(req.Method) {
			return 0, false
		}
		return backoff(attempt), true
	}
	if d, ok := t.rateLimited(resp, attempt); ok {
		return d, true
	}
	switch resp.StatusCode {
	case http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return backoff(attempt), idempotent(req.Method)
	}
	return 0, false
}

// rateLimited returns the wait GitHub asks for on a rate-limited response:
// retry-after when given; the reset time when x-ratelimit-remaining is 0;
// else, for a secondary limit, a minute growing with each attempt.
func (t *retrier) rateLimited(resp *http.Response, attempt int) (time.Duration, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	if v := resp.Header.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, true
		}
	}
	if resp.Header.Get("X-Ratelimit-Remaining") == "0" {
		if reset, ok := resetTime(resp); ok {
			return max(reset.Sub(t.now()), 0) + time.Second, true
		}
	}
	if resp.StatusCode == http.StatusTooManyRequests || secondaryLimit(resp) {
		return time.Minute << (attempt - 1), true
	}
	return 0, false
}

// giveUp logs why a rate-limited or failing request is not tried again.
func (t *retrier) giveUp(req *http.Request, resp *http.Response, wanted bool, attempt int) {
	if !wanted {
		return
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	t.log.Warn("giving up on a GitHub API request", "method", req.Method,
		"path", req.URL.Path, "attempts", attempt, "status", status, "max_wait", t.maxWait)
}

// secondaryLimit reports whether a 403 is a secondary rate limit, reading
// the body and putting it back for the caller.
func secondaryLimit(resp *http.Response) bool {
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return err == nil && strings.Contains(strings.ToLower(string(data)), "secondary rate limit")
}

func resetTime(resp *http.Response) (time.Time, bool) {
	s, err := strconv.ParseInt(resp.Header.Get("X-Ratelimit-Reset"), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(s, 0), true
}

// backoff is 1s, 2s, 4s … up to 30s.
func backoff(attempt int) time.Duration {
	return min(time.Second<<(attempt-1), 30*time.Second)
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut,
		http.MethodDelete, http.MethodPatch:
		// PATCH sets fields to values, so sending it twice changes nothing
		// more.
		// TODO: a check-run PATCH whose answer is lost after GitHub took it
		// appends its annotations twice; GitHub offers no way to send them
		// idempotently, and the case is rare enough to leave.
		return true
	}
	return false
}

// rewindable makes sure req's body can be read again for a retry.
func rewindable(req *http.Request) error {
	if req.Body == nil || req.Body == http.NoBody || req.GetBody != nil {
		return nil
	}
	data, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return fmt.Errorf("reading the request body: %w", err)
	}
	req.GetBody = func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	req.Body, _ = req.GetBody()
	return nil
}

func discard(resp *http.Response) {
	if resp == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// cancelBody ends a try's time limit when its body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// transient reports whether err is worth another try of a whole step: a
// server error, a lost connection or a timed-out try, while ctx is alive.
func transient(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	if s := apiStatus(err); s != 0 {
		return s >= 500
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) || isNetError(err)
}

func isNetError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}

// again runs step until it succeeds or fails for good, three times at most.
// A step looks before it writes (finds its comment, check run or pull
// request before it creates one), so that a write the server completed but
// whose answer was lost is found on the next try rather than repeated.
func (c *Client) again(ctx context.Context, what string, step func(context.Context) error) error {
	const tries = 3
	for try := 1; ; try++ {
		err := step(ctx)
		if try == tries || !transient(ctx, err) {
			return err
		}
		c.log.Warn("trying again", "step", what, "error", err)
		if err := c.wait(ctx, backoff(try)); err != nil {
			return err
		}
	}
}
