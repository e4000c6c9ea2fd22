package github

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/go-github/v60/github"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
)

// deployTask marks mlci's deployments among others on the repository.
const deployTask = "deploy:model"

// deploymentPayload is what a deployment of a model carries.
type deploymentPayload struct {
	Model   string `json:"model"`
	Version string `json:"version"`
}

// Deploy records a promotion as a deployment of d.Ref (the head commit when
// empty) to the environment named after the stage, with a successful
// status, so that the pull request and the Environments page show it. A
// deployment of the same model version that a failed try left is reused.
// POST /repos/{owner}/{repo}/deployments and
// POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses.
func (c *Client) Deploy(ctx context.Context, d platform.Deployment) error {
	if d.Ref == "" {
		d.Ref = c.getenv("GITHUB_SHA")
	}
	if d.Ref == "" || d.Environment == "" {
		return exit.Usagef("deploying %s: a ref and an environment are needed", d.Model)
	}

	var dep *github.Deployment
	err := c.again(ctx, "creating the deployment", func(ctx context.Context) error {
		var err error
		dep, err = c.findOrCreateDeployment(ctx, d)
		return err
	})
	if err != nil {
		return exit.Externalf("recording %s %s in %s: %w", d.Model, d.Version, d.Environment, err)
	}

	err = c.again(ctx, "setting the deployment status", func(ctx context.Context) error {
		_, _, err := c.api.Repositories.CreateDeploymentStatus(ctx, c.owner, c.repo, dep.GetID(),
			&github.DeploymentStatusRequest{
				State:          github.String("success"),
				Description:    github.String(cut(description(d), 140)),
				Environment:    github.String(d.Environment),
				EnvironmentURL: nonEmpty(d.URL),
				LogURL:         nonEmpty(c.runURL()),
				AutoInactive:   github.Bool(true),
			})
		return err
	})
	if err != nil {
		return exit.Externalf("setting the status of deployment %d: %w", dep.GetID(), err)
	}
	return nil
}

func description(d platform.Deployment) string {
	if d.Description != "" {
		return d.Description
	}
	return fmt.Sprintf("%s %s promoted to %s", d.Model, d.Version, d.Environment)
}

func (c *Client) findOrCreateDeployment(ctx context.Context,
	d platform.Deployment) (*github.Deployment, error) {
	found, err := c.findDeployment(ctx, d)
	if err != nil || found != nil {
		return found, err
	}
	dep, _, err := c.api.Repositories.CreateDeployment(
		ctx,
		c.owner,
		c.repo,
		&github.DeploymentRequest{
			Ref:                   github.String(d.Ref),
			Task:                  github.String(deployTask),
			AutoMerge:             github.Bool(false),
			RequiredContexts:      &[]string{},
			Payload:               deploymentPayload{Model: d.Model, Version: d.Version},
			Environment:           github.String(d.Environment),
			Description:           github.String(cut(description(d), 140)),
			ProductionEnvironment: github.Bool(d.Environment == "production"),
		},
	)
	return dep, wrap(err, "creating a deployment to %s", d.Environment)
}

// findDeployment returns the deployment of this model version to the
// environment at d.Ref, nil when there is none.
// GET /repos/{owner}/{repo}/deployments.
func (c *Client) findDeployment(ctx context.Context,
	d platform.Deployment) (*github.Deployment, error) {
	opts := &github.DeploymentsListOptions{
		SHA: d.Ref, Task: deployTask, Environment: d.Environment,
		ListOptions: github.ListOptions{PerPage: 100},
	}
	if !isSHA(d.Ref) {
		opts.SHA, opts.Ref = "", d.Ref
	}
	for {
		deps, resp, err := c.api.Repositories.ListDeployments(ctx, c.owner, c.repo, opts)
		if err != nil {
			return nil, wrap(err, "listing deployments to %s", d.Environment)
		}
		for _, dep := range deps {
			var p deploymentPayload
			if json.Unmarshal(dep.Payload, &p) == nil && p.Model == d.Model &&
				p.Version == d.Version {
				return dep, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
}

func isSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}
