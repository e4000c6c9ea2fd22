package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform/github"
	"github.com/mlci-dev/mlci/internal/progress"
)

// commands are the constructors of the subcommands; each command's file
// registers its own in an init function.
var commands []func(*globals) *cobra.Command

func register(c func(*globals) *cobra.Command) { commands = append(commands, c) }

// globals are the flags every command takes and what is derived from them.
type globals struct {
	repo     string
	config   string
	format   string
	logLevel string
	noColor  bool

	// started is set once the command's own code begins, after cobra has
	// parsed the command line.
	started bool

	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	log    *slog.Logger
	status *progress.Printer
}

// run runs mlci with args and returns the process exit code.
func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	g := &globals{stdout: stdout, stderr: stderr, getenv: getenv}
	args, err := actionArgs(args, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "mlci: %v\n", err)
		return exit.Code(err)
	}
	root := newRoot(g)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)

	err = root.ExecuteContext(ctx)
	if err == nil {
		return exit.OK
	}
	code := exit.Code(err)
	if !g.started {
		// cobra failed before the command began: an unknown command, a bad
		// flag or the wrong number of arguments.
		code = exit.Usage
	}
	if !errors.Is(err, errReported) {
		fmt.Fprintf(stderr, "mlci: %v\n", err)
	}
	return code
}

// actionArgs turns the GitHub Action's inputs into the command line: the
// action always starts `mlci ci`, and its command, working_directory,
// config and log_level inputs say what to run where.
func actionArgs(args []string, getenv func(string) string) ([]string, error) {
	if !github.Detect(getenv) || getenv("INPUT_COMMAND") == "" ||
		len(args) != 1 || args[0] != "ci" {
		return args, nil
	}
	in, err := github.ReadInputs(getenv)
	if err != nil {
		return nil, err
	}
	return in.Args()
}

// errReported ends a command whose outcome was already printed (a failed
// verdict, say), so that only the exit code is left to set.
var errReported = errors.New("reported")

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "mlci",
		Short: "Continuous integration, training and delivery for ML repositories",
		Long: `mlci reads what a change touched (code, data, params), runs the pipeline tests
and only the affected stages, validates the data and the candidate model against
the baseline, reports the comparison on the pull request, and promotes the model
when the policy allows. It reads dvc.yaml, params.yaml and dvc.lock as they are,
and mlci.yaml for what DVC does not cover.

Exit codes: 0 success, 1 a gate or check failed, 2 usage or configuration error,
3 an external failure (git, an API, a stage's command).`,
		Example: `  mlci demo                    # the whole pull-request flow on a bundled example
  mlci changes --base main     # what changed and which stages it affects
  mlci run --dry-run           # which stages would run and why
  mlci validate --format json  # the model gates' verdict as JSON`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: g.setup,
	}
	f := root.PersistentFlags()
	f.StringVarP(&g.repo, "repo", "C", ".", "repository `dir` to work in")
	f.StringVar(&g.config, "config", "", "configuration `file` (default mlci.yaml, else dvc.yaml)")
	f.StringVar(&g.format, "format", "", "output format: text or json (default text)")
	f.StringVar(&g.logLevel, "log-level", "info", "diagnostics level: debug, info, warn or error")
	f.BoolVar(&g.noColor, "no-color", false, "never colour the output")

	for _, c := range commands {
		root.AddCommand(c(g))
	}
	return root
}

// setup checks the global flags and builds the logger and progress printer.
func (g *globals) setup(cmd *cobra.Command, _ []string) error {
	g.started = true
	var level slog.Level
	if err := level.UnmarshalText([]byte(g.logLevel)); err != nil {
		return exit.Usagef("--log-level: %q is not one of debug, info, warn, error", g.logLevel)
	}
	if g.format != "" && g.format != "text" && g.format != "json" && !g.formatFree(cmd) {
		return exit.Usagef("--format: %q is not one of text, json", g.format)
	}

	g.log = slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{
		Level:       level,
		ReplaceAttr: dropTime,
	}))
	g.status = progress.New(g.stderr, progress.Detect(g.getenv))
	g.status.SetColor(g.color(g.stderr))
	return nil
}

// formatFree reports whether cmd gives --format values of its own.
func (g *globals) formatFree(cmd *cobra.Command) bool {
	return cmd.Annotations["formats"] != ""
}

func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// root returns the absolute path of the repository.
func (g *globals) root() (string, error) {
	abs, err := filepath.Abs(g.repo)
	if err != nil {
		return "", exit.Usagef("--repo %s: %v", g.repo, err)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return "", exit.Usagef("--repo %s: not a directory", g.repo)
	}
	return abs, nil
}

// load reads the repository's configuration.
func (g *globals) load() (*config.Config, error) {
	root, err := g.root()
	if err != nil {
		return nil, err
	}
	return config.Load(root, g.config)
}

// json reports whether results are printed as JSON.
func (g *globals) json() bool { return g.format == "json" }

// print writes result as JSON when --format json, else calls text.
func (g *globals) print(result any, text func(w io.Writer) error) error {
	if !g.json() {
		return text(g.stdout)
	}
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(result); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

// color reports whether output to w may be coloured: a terminal, and
// neither --no-color nor NO_COLOR.
func (g *globals) color(w io.Writer) bool {
	if g.noColor || g.getenv("NO_COLOR") != "" || strings.TrimSpace(g.getenv("TERM")) == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
