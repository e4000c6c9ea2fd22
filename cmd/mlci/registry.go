package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/registry"
)

func init() { register(newRegistryCmd) }

// registryResult is mlci registry's result.
type registryResult struct {
	Models   []*registry.Model  `json:"models"`
	Warnings []registry.Warning `json:"warnings,omitempty"`
	// order is each model's stages in policy order, for the text.
	order map[string][]string
}

func newRegistryCmd(g *globals) *cobra.Command {
	var deprecated bool
	cmd := &cobra.Command{
		Use:   "registry [MODEL]",
		Short: "Show each model's versions and the version each stage holds",
		Long: `registry reads the model registry from the repository's git tags, in GTO's
format, so it shows what gto show shows: NAME@vX.Y.Z registers a version,
NAME#STAGE#N assigns it to a stage (the latest assignment in force wins),
NAME#STAGE!#N unassigns it, NAME@vX.Y.Z! deregisters it and NAME@deprecated
hides the model. A registration's message carries the verdict of its run.

Lightweight tags in that format, and tags that look meant for the registry but
break the format, are reported on stderr: GTO ignores them silently.`,
		Example: `  mlci registry
  mlci registry churn
  mlci registry --format json | jq '.models[0].stages'`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return exit.Usagef("registry takes at most one model, got %q", args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := runRegistry(cmd, g, args, deprecated)
			if err != nil {
				return err
			}
			return g.print(res, func(w io.Writer) error {
				return registry.WriteText(w, res.Models, res.order)
			})
		},
	}
	cmd.Flags().BoolVar(&deprecated, "deprecated", false, "show deprecated models too")
	return cmd
}

func runRegistry(cmd *cobra.Command, g *globals, args []string, deprecated bool) (
	*registryResult, error) {
	root, err := g.root()
	if err != nil {
		return nil, err
	}
	order, err := registryStageOrder(g)
	if err != nil {
		return nil, err
	}
	reg, err := registry.Read(cmd.Context(), git.Repo{Dir: root})
	if err != nil {
		return nil, err
	}
	for _, w := range reg.Warnings {
		g.log.Warn("registry tag ignored", "tag", w.Tag, "why", w.Message)
	}

	res := &registryResult{Warnings: reg.Warnings, order: order, Models: []*registry.Model{}}
	if len(args) == 1 {
		m := reg.Model(args[0])
		if m == nil {
			return nil, exit.With(exit.Usage, fmt.Errorf("%w %q: the registry holds %s",
				registry.ErrUnknownModel, args[0], registryNames(reg)))
		}
		res.Models = append(res.Models, m)
		return res, nil
	}
	for _, m := range reg.Models {
		if deprecated || !m.Deprecated {
			res.Models = append(res.Models, m)
		}
	}
	return res, nil
}

// registryStageOrder returns each configured model's promotion stages; a
// repository without configuration has none.
func registryStageOrder(g *globals) (map[string][]string, error) {
	cfg, err := g.load()
	if errors.Is(err, config.ErrNoConfig) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	order := map[string][]string{}
	for _, m := range cfg.Models {
		order[m.Name] = m.Promote.Stages
	}
	return order, nil
}

func registryNames(reg *registry.Registry) string {
	var names []string
	for _, m := range reg.Models {
		names = append(names, m.Name)
	}
	if len(names) == 0 {
		return "no models"
	}
	return strings.Join(names, ", ")
}
