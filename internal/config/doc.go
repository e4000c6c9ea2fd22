// Package config loads a repository's configuration: mlci.yaml, the DVC
// pipeline it points at (dvc.yaml by default) and the params files the
// pipeline interpolates, into one checked Config with defaults applied.
//
// It decodes YAML node by node so that every error names the file, line and
// column and what was expected, expands foreach and matrix stages and ${...}
// expressions as DVC does, and checks the pipeline's graph (repeated or
// nested outputs, cycles) and the params its stages name.
//
// It does not read dvc.lock, hash anything or run stages (internal/pipeline
// does), read metrics (internal/metrics) or match change globs against paths
// (internal/changes).
package config
