// Package github is mlci's platform for GitHub Actions: it reads the workflow
// event, posts the report (one sticky pull-request comment, a check run or a
// commit status, the job summary), sets step outputs, records promotions as
// deployments, answers comment commands and opens pull requests for
// continuous training.
//
// It talks to the REST API through go-github, honouring GITHUB_API_URL for
// GitHub Enterprise Server, with retries and rate-limit waits in its HTTP
// transport, and to the runner through go-githubactions. It does not decide
// what to run or what the report says; the flow does.
package github

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/sethvargo/go-githubactions"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
)

// The capabilities the GitHub platform has.
var (
	_ platform.Platform   = (*Client)(nil)
	_ platform.Outputs    = (*Client)(nil)
	_ platform.Deployer   = (*Client)(nil)
	_ platform.Commander  = (*Client)(nil)
	_ platform.Proposer   = (*Client)(nil)
	_ platform.FileLister = (*Client)(nil)
)

const defaultAPI = "https://api.github.com"

// Options tune a Client; the zero value is ready for a workflow run.
type Options struct {
	// HTTPClient sends the API requests; its transport is wrapped with
	// retries. nil means a client with Go's default transport.
	HTTPClient *http.Client
	// Log receives diagnostics; nil discards them.
	Log *slog.Logger
	// Out receives workflow commands (masks, warnings); os.Stderr when nil,
	// so that stdout stays for results.
	Out io.Writer
	// Sleep replaces waiting between retries, for tests. It is called with
	// each wait and returns at once.
	Sleep func(time.Duration)
	// Now replaces the clock that rate-limit resets are measured against.
	Now func() time.Time
	// Attempts bounds the tries of one request (5 when zero).
	Attempts int
	// MaxWait bounds the time one request may spend waiting for retries and
	// rate limits (3 minutes when zero).
	MaxWait time.Duration
	// RequestTimeout bounds one try of a request (30 seconds when zero).
	RequestTimeout time.Duration
}

// Client is the GitHub Actions platform for one workflow run.
type Client struct {
	api     *github.Client
	actions *githubactions.Action
	getenv  func(string) string
	log     *slog.Logger
	in      Inputs
	wait    func(context.Context, time.Duration) error

	owner, repo string
	serverURL   string
	eventName   string
	hasToken    bool

	mu     sync.Mutex
	me     *identity // the account the token acts as, once known
	warned bool      // the read-only warning was given
}

// Detect reports whether mlci runs in a GitHub Actions job.
func Detect(getenv func(string) string) bool {
	return getenv("GITHUB_ACTIONS") == "true"
}

// New returns the platform for the workflow run that getenv describes:
// GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_SERVER_URL, GITHUB_EVENT_NAME,
// the token (the action's token input, else GITHUB_TOKEN) and the action's
// other inputs. It masks the token in the log at once. It makes no request.
func New(_ context.Context, getenv func(string) string, opts Options) (*Client, error) {
	in, err := ReadInputs(getenv)
	if err != nil {
		return nil, err
	}
	owner, repo, ok := strings.Cut(getenv("GITHUB_REPOSITORY"), "/")
	if !ok || owner == "" || repo == "" {
		return nil, exit.Usagef("GITHUB_REPOSITORY %q is not owner/name",
			getenv("GITHUB_REPOSITORY"))
	}

	c := &Client{
		getenv: getenv,
		log:    opts.Log,
		in:     in,
		owner:  owner,
		repo:   repo,
		serverURL: strings.TrimSuffix(
			orDefault(getenv("GITHUB_SERVER_URL"), "https://github.com"),
			"/",
		),
		eventName: getenv("GITHUB_EVENT_NAME"),
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.wait = waiter(opts.Sleep)
	c.actions = githubactions.New(githubactions.WithGetenv(getenv),
		githubactions.WithWriter(orWriter(opts.Out)))

	token := orDefault(in.Token, getenv("GITHUB_TOKEN"))
	if token != "" {
		c.actions.AddMask(token)
		c.hasToken = true
	}
	c.api, err = newAPI(getenv("GITHUB_API_URL"), token, c.transport(opts), opts.HTTPClient)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// newAPI returns a go-github client for apiURL, an Enterprise Server one
// when the URL is not api.github.com's.
func newAPI(apiURL, token string, rt http.RoundTripper, base *http.Client) (*github.Client, error) {
	hc := &http.Client{Transport: rt}
	if base != nil {
		hc.Timeout, hc.Jar, hc.CheckRedirect = base.Timeout, base.Jar, base.CheckRedirect
	}
	api := github.NewClient(hc)
	if token != "" {
		api = api.WithAuthToken(token)
	}

	apiURL = strings.TrimSuffix(orDefault(apiURL, defaultAPI), "/")
	u, err := url.Parse(apiURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, exit.Usagef("GITHUB_API_URL %q is not a URL", apiURL)
	}
	if apiURL == defaultAPI {
		return api, nil
	}
	upload := strings.TrimSuffix(apiURL, "/api/v3") + "/api/uploads/"
	api, err = api.WithEnterpriseURLs(apiURL+"/", upload)
	if err != nil {
		return nil, exit.Usagef("GITHUB_API_URL %q: %v", apiURL, err)
	}
	return api, nil
}

// Name returns "github".
func (c *Client) Name() string { return "github" }

// EventName returns the workflow's event (GITHUB_EVENT_NAME) as GitHub names
// it, for what platform.Event's kinds do not tell apart, such as
// pull_request_target or workflow_run.
func (c *Client) EventName() string { return c.eventName }

// Inputs returns the action's inputs.
func (c *Client) Inputs() Inputs { return c.in }

// BaseURL returns the API's base URL the client sends requests to.
func (c *Client) BaseURL() string { return c.api.BaseURL.String() }

// runURL links to the workflow run.
func (c *Client) runURL() string {
	id := c.getenv("GITHUB_RUN_ID")
	if id == "" {
		return ""
	}
	return fmt.Sprintf("%s/%s/%s/actions/runs/%s", c.serverURL, c.owner, c.repo, id)
}

// waiter returns the function that waits between retries: sleep when a
// test gives one, else a timer that the context can cut short.
func waiter(sleep func(time.Duration)) func(context.Context, time.Duration) error {
	if sleep != nil {
		return func(ctx context.Context, d time.Duration) error {
			sleep(d)
			return ctx.Err()
		}
	}
	return func(ctx context.Context, d time.Duration) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// actionsDo runs a go-githubactions call that panics when it cannot write
// its file, and returns that as an error.
func actionsDo(what string, f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %v", what, r)
		}
	}()
	f()
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orWriter(w io.Writer) io.Writer {
	if w == nil {
		return os.Stderr
	}
	return w
}

// apiStatus returns the HTTP status of a go-github error, 0 for others.
func apiStatus(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}
