package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/datacheck"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/metrics"
	"github.com/mlci-dev/mlci/internal/pipeline/atomicfile"
)

func init() { register(newDataCmd) }

func newDataCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "Profile data sets, infer their schema, and check them for drift",
		Long: `data works on the data sets that mlci.yaml lists under data: (CSV, TSV, JSON
Lines or Parquet). A profile is a small JSON summary of a file made in one pass:
per column its type, nulls, range, quantiles, a 2,048-point quantile sketch or
the counts of its values. A schema lists what each column must look like. The
check compares the working tree's data with the baseline's: schema problems
fail, drift fails or warns as drift.severity says.`,
		Example: `  mlci data profile data/train.csv -o train.profile.json
  mlci data schema --write
  mlci data check --base main
  mlci data compare old.csv new.csv`,
	}
	cmd.AddCommand(newDataProfileCmd(g), newDataSchemaCmd(g), newDataCheckCmd(g),
		newDataCompareCmd(g))
	return cmd
}

func newDataProfileCmd(g *globals) *cobra.Command {
	var out string
	var opts datacheck.ProfileOptions
	cmd := &cobra.Command{
		Use:   "profile PATH|NAME",
		Short: "Profile a data file, or a configured data set by name",
		Long: `profile reads a data file in one pass and prints a summary of its columns; with
--format json, or into the file -o names, it writes the profile itself, which
'mlci data compare' and 'mlci data check --base-profiles' read back.`,
		Example: `  mlci data profile data/train.csv
  mlci data profile train -o .mlci/profiles/train.json
  mlci data profile events.jsonl --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := profileArg(g, args[0], opts)
			if err != nil {
				return err
			}
			if out != "" {
				if err := writeProfile(out, p); err != nil {
					return err
				}
			}
			return g.print(p, func(w io.Writer) error { return datacheck.WriteProfileText(w, p) })
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "", "write the profile as JSON to `file`")
	f.StringVar(
		&opts.Format,
		"data-format",
		"",
		"csv, tsv, jsonl or parquet (default: by extension)",
	)
	f.StringVar(&opts.Label, "label", "", "the label `column`")
	f.StringVar(&opts.ID, "id", "", "the row-id `column`")
	return cmd
}

// profileArg profiles a file, or the configured data set called arg.
func profileArg(g *globals, arg string, opts datacheck.ProfileOptions) (*datacheck.Profile, error) {
	path := arg
	if _, err := os.Stat(arg); err != nil {
		cfg, cerr := g.load()
		if cerr != nil {
			return nil, exit.Usagef("%s: no such file, and no configuration to find a data set "+
				"of that name: %v", arg, cerr)
		}
		ds := dataSet(cfg, arg)
		if ds == nil {
			return nil, exit.Usagef("%s: no such file or configured data set", arg)
		}
		path = filepath.Join(cfg.Root, ds.Path)
		opts = mergeOptions(opts, datacheck.OptionsFor(ds))
	}
	p, err := datacheck.ProfileFile(path, opts)
	return p, dataError(err)
}

// mergeOptions fills the flags' empty options from the data set's.
func mergeOptions(flags, ds datacheck.ProfileOptions) datacheck.ProfileOptions {
	if flags.Format == "" {
		flags.Format = ds.Format
	}
	if flags.Label == "" {
		flags.Label = ds.Label
	}
	if flags.ID == "" {
		flags.ID = ds.ID
	}
	return flags
}

func dataSet(cfg *config.Config, name string) *config.DataSet {
	for _, ds := range cfg.Data {
		if ds.Name == name {
			return ds
		}
	}
	return nil
}

// dataError gives bad input and unknown formats the usage exit code.
func dataError(err error) error {
	var ie *datacheck.InputError
	if errors.As(err, &ie) || errors.Is(err, datacheck.ErrFormat) ||
		errors.Is(err, os.ErrNotExist) {
		return exit.With(exit.Usage, err)
	}
	return err
}

func writeProfile(path string, p *datacheck.Profile) error {
	var buf bytes.Buffer
	if err := p.WriteJSON(&buf); err != nil {
		return err
	}
	return atomicfile.Write(path, buf.Bytes(), 0o644)
}

func newDataSchemaCmd(g *globals) *cobra.Command {
	var write bool
	cmd := &cobra.Command{
		Use:   "schema [NAME...]",
		Short: "Infer the schema of each configured data set, for review",
		Long: `schema profiles each data set in the working tree (or those named) and prints
the schema inferred from it: the columns with their types, allowed null shares,
ranges widened by the observed span, and the domains of string columns. With
--write it saves each to the data set's schema: file (default
<data file>.schema.yaml beside the data); commit it, edit it, and point the
data set's schema: key at it so that checks use it rather than the baseline.`,
		Example: `  mlci data schema
  mlci data schema train --write`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDataSchema(g, args, write)
		},
	}
	cmd.Flags().BoolVar(&write, "write", false, "write each schema to its file")
	return cmd
}

// dataSchema is one data set's inferred schema, as JSON prints it.
type dataSchema struct {
	Name   string            `json:"name"`
	File   string            `json:"file"`
	Schema *datacheck.Schema `json:"schema"`
}

func runDataSchema(g *globals, names []string, write bool) error {
	cfg, err := g.load()
	if err != nil {
		return err
	}
	sets, err := selectDataSets(cfg, names)
	if err != nil {
		return err
	}
	var out []dataSchema
	for _, ds := range sets {
		p, err := datacheck.ProfileFile(filepath.Join(cfg.Root, ds.Path), datacheck.OptionsFor(ds))
		if err != nil {
			return dataError(err)
		}
		s := dataSchema{Name: ds.Name, File: schemaFile(ds), Schema: datacheck.InferSchema(p)}
		if write {
			if err := writeSchema(g, cfg.Root, ds, s); err != nil {
				return err
			}
		}
		out = append(out, s)
	}
	if write && !g.json() {
		return nil
	}
	return g.print(out, func(w io.Writer) error { return writeSchemasText(w, out) })
}

func selectDataSets(cfg *config.Config, names []string) ([]*config.DataSet, error) {
	if len(cfg.Data) == 0 {
		return nil, exit.Usagef("no data sets configured: list them under data: in mlci.yaml")
	}
	if len(names) == 0 {
		return cfg.Data, nil
	}
	var sets []*config.DataSet
	for _, n := range names {
		ds := dataSet(cfg, n)
		if ds == nil {
			return nil, exit.Usagef("no data set called %q in the configuration", n)
		}
		sets = append(sets, ds)
	}
	return sets, nil
}

// schemaFile returns where a data set's schema lives or would be written.
func schemaFile(ds *config.DataSet) string {
	if ds.Schema != "" {
		return ds.Schema
	}
	return strings.TrimSuffix(ds.Path, filepath.Ext(ds.Path)) + ".schema.yaml"
}

func schemaComment(ds *config.DataSet) string {
	return fmt.Sprintf("Schema of data set %s (%s), inferred by `mlci data schema`.\n"+
		"Review and edit it: ranges, allowed null shares, domains.", ds.Name, ds.Path)
}

func writeSchema(g *globals, root string, ds *config.DataSet, s dataSchema) error {
	var buf bytes.Buffer
	if err := s.Schema.WriteYAML(&buf, schemaComment(ds)); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(root, s.File), buf.Bytes(), 0o644); err != nil {
		return err
	}
	g.status.Infof("wrote %s", s.File)
	if ds.Schema == "" {
		g.status.Infof("to check against it, set schema: %s on data set %s in mlci.yaml",
			s.File, ds.Name)
	}
	return nil
}

func writeSchemasText(w io.Writer, schemas []dataSchema) error {
	for i, s := range schemas {
		if i > 0 {
			fmt.Fprintln(w, "---")
		}
		if err := s.Schema.WriteYAML(w, fmt.Sprintf("%s → %s", s.Name, s.File)); err != nil {
			return err
		}
	}
	return nil
}

func newDataCheckCmd(g *globals) *cobra.Command {
	var base, profiles string
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check the data sets' schema and drift against the baseline",
		Long: `check profiles every configured data set in the working tree, checks it
against its schema (the data set's schema: file, else one inferred from the
baseline) and tests each column for drift from the baseline: KS or chi-squared
at p < 0.05 for baselines of up to 1,000 rows, else the Wasserstein distance
over the standard deviation or the Jensen–Shannon distance at 0.1. It prints a
table per data set, the most drifted columns first.

The baseline is each data file at --base (default: the merge base of HEAD with
the default branch, else HEAD), or the profiles stored in --base-profiles DIR
as NAME.json. It exits with 1 when a schema error, unreadable data, or a drift
of severity error fails a data set.`,
		Example: `  mlci data check
  mlci data check --base main --format json
  mlci data check --base-profiles .mlci/profiles`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDataCheck(cmd.Context(), g, base, profiles)
		},
	}
	cmd.Flags().StringVar(&base, "base", "",
		"baseline `ref` (default: merge base with the default branch)")
	cmd.Flags().StringVar(&profiles, "base-profiles", "", "read the baseline's profiles from `dir`")
	return cmd
}

func runDataCheck(ctx context.Context, g *globals, base, profilesDir string) error {
	cfg, err := g.load()
	if err != nil {
		return err
	}
	var baseProfiles map[string]*datacheck.Profile
	if profilesDir != "" {
		baseProfiles, err = storedProfiles(cfg, profilesDir)
	} else {
		baseProfiles, err = dataBaseProfiles(ctx, g, cfg, base)
	}
	if err != nil {
		return err
	}

	res, err := datacheck.Check(ctx, cfg, baseProfiles, cfg.Root)
	if err != nil {
		return err
	}
	text := func(w io.Writer) error { return datacheck.WriteText(w, res) }
	if err := g.print(res, text); err != nil {
		return err
	}
	if !res.Passed {
		return exit.With(exit.Failed, errReported)
	}
	return nil
}

// storedProfiles reads DIR/NAME.json for each data set; a missing file means
// no baseline for that set.
func storedProfiles(cfg *config.Config, dir string) (map[string]*datacheck.Profile, error) {
	out := map[string]*datacheck.Profile{}
	for _, ds := range cfg.Data {
		p, err := datacheck.ReadProfileFile(filepath.Join(dir, ds.Name+".json"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, exit.With(exit.Usage, err)
		}
		out[ds.Name] = p
	}
	return out, nil
}

// dataBaseProfiles profiles each data set's file as it is at rev (resolved
// as `mlci data check` documents when empty): streamed out of git when rev
// commits it, else, for data DVC tracks (a .dvc file, or a stage's output
// in rev's lock file), read from the local cache. A file found in neither
// has no baseline.
func dataBaseProfiles(ctx context.Context, g *globals, cfg *config.Config,
	rev string) (map[string]*datacheck.Profile, error) {
	repo := git.Repo{Dir: cfg.Root}
	commit, err := baseCommit(ctx, repo, rev)
	if err != nil {
		return nil, err
	}
	out := map[string]*datacheck.Profile{}
	for _, ds := range cfg.Data {
		opts := datacheck.OptionsFor(ds)
		opts.Source = ds.Path + "@" + shortRev(commit)
		// ":./" makes the path relative to the configuration's root, which
		// may be a subdirectory of the repository.
		obj := commit + ":./" + filepath.ToSlash(ds.Path)
		if _, err := repo.Run(ctx, "cat-file", "-e", obj); err != nil {
			p, err := trackedBaseProfile(ctx, g, cfg, commit, ds.Path, opts)
			if err != nil {
				return nil, fmt.Errorf("profiling the baseline of data set %s: %w", ds.Name,
					err)
			}
			if p == nil {
				g.log.Info("no baseline for data set", "set", ds.Name, "path", ds.Path,
					"at", shortRev(commit))
				continue
			}
			out[ds.Name] = p
			continue
		}
		var p *datacheck.Profile
		err := repo.Stream(ctx, func(r io.Reader) error {
			var perr error
			p, perr = datacheck.ProfileReader(r, opts)
			return perr
		}, "cat-file", "blob", obj)
		if err != nil {
			return nil, fmt.Errorf("profiling the baseline of data set %s: %w", ds.Name, err)
		}
		out[ds.Name] = p
	}
	return out, nil
}

// baseCommit resolves rev, or by default the merge base of HEAD with the
// default branch (HEAD itself when there is no default branch).
// trackedBaseProfile profiles the file at path that commit tracks with DVC
// rather than git, from the local or the remote cache; nil when neither has
// it.
func trackedBaseProfile(ctx context.Context, g *globals, cfg *config.Config, commit,
	path string, opts datacheck.ProfileOptions) (*datacheck.Profile, error) {
	b, err := metrics.Lookup(ctx, cfg.Root, metrics.Options{Ref: commit, LockFile: cfg.LockFile,
		Fetch: fetcher(g, cfg)})
	if err != nil {
		return nil, err
	}
	data, err := b.ReadFile(ctx, path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return datacheck.ProfileBytes(data, opts)
}

func baseCommit(ctx context.Context, repo git.Repo, rev string) (string, error) {
	if rev != "" {
		return repo.RevParse(ctx, rev)
	}
	branch, err := repo.DefaultBranch(ctx)
	if err != nil {
		return repo.RevParse(ctx, "HEAD")
	}
	return repo.MergeBase(ctx, "HEAD", branch)
}

func shortRev(sha string) string { return sha[:min(7, len(sha))] }

func newDataCompareCmd(g *globals) *cobra.Command {
	var (
		opts     datacheck.ProfileOptions
		drift    config.Drift
		failHard bool
	)
	cmd := &cobra.Command{
		Use:   "compare BASE HEAD",
		Short: "Test two data files or stored profiles for drift",
		Long: `compare tests each column HEAD shares with BASE for drift, with the same tests
and defaults as 'mlci data check'. Each argument is a data file or a profile
written by 'mlci data profile' (a .json file). It exits with 1 when the data
drifted and --fail is given.`,
		Example: `  mlci data compare data/train.csv data/new.csv
  mlci data compare base.profile.json data/new.csv --share 0.3 --fail`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if failHard {
				drift.Severity = datacheck.SeverityError
			}
			return runDataCompare(g, args[0], args[1], opts, drift)
		},
	}
	f := cmd.Flags()
	f.StringVar(
		&opts.Format,
		"data-format",
		"",
		"csv, tsv, jsonl or parquet (default: by extension)",
	)
	f.StringVar(&opts.ID, "id", "", "the row-id `column`, not tested")
	f.Float64Var(&drift.Share, "share", datacheck.DefaultDriftShare,
		"share of drifted columns at which the data drifts")
	f.BoolVar(&failHard, "fail", false, "exit with 1 when the data drifted")
	return cmd
}

func runDataCompare(g *globals, basePath, headPath string, opts datacheck.ProfileOptions,
	drift config.Drift) error {
	if err := datacheck.ValidateDrift(drift); err != nil {
		return exit.Usagef("%v", err)
	}
	base, err := loadOrProfile(basePath, opts)
	if err != nil {
		return err
	}
	head, err := loadOrProfile(headPath, opts)
	if err != nil {
		return err
	}
	if base.ID == "" {
		base.ID = opts.ID
	}

	d := datacheck.Compare(base, head, drift)
	err = g.print(d, func(w io.Writer) error { return datacheck.WriteDriftText(w, d) })
	if err == nil && d.Drifted && d.Severity == datacheck.SeverityError {
		return exit.With(exit.Failed, errReported)
	}
	return err
}

// loadOrProfile reads a stored profile (.json) or profiles a data file.
func loadOrProfile(path string, opts datacheck.ProfileOptions) (*datacheck.Profile, error) {
	if strings.EqualFold(filepath.Ext(path), ".json") {
		p, err := datacheck.ReadProfileFile(path)
		return p, dataError(err)
	}
	p, err := datacheck.ProfileFile(path, opts)
	return p, dataError(err)
}
