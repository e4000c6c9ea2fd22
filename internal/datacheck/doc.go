// Package datacheck validates the data sets that mlci.yaml names: it
// profiles a data file in one streaming pass, infers or reads a schema and
// checks new data against it, and measures drift between a baseline's
// profile and the new one, column by column.
//
// # Profiles
//
// A Profile is a small JSON value: per column its type (integer, number,
// string, or null when it holds no value), null count, and for numbers the
// minimum, maximum, mean, standard deviation, a few quantiles, a histogram
// and a KLL quantile sketch of sketch.DefaultK (2,048) points; for strings
// the counts of up to MaxCategories values and an "other" count for the rest.
// Profiles are stored with each run's record, so a later comparison does not
// need the baseline's data again. CSV, TSV, JSON Lines and Parquet are read.
//
// Input that cannot be profiled is an *InputError naming the file, the line
// (or row) and what was expected: a row with the wrong number of fields, a
// header of one column that looks like another delimiter, a number column
// that turns into text part-way, bytes that are not UTF-8, an empty file.
// Empty cells and the usual null markers (NA, N/A, null, NaN, None …) are
// nulls; a file of one column is fine.
//
// # Drift
//
// Compare runs one test per column (config.DriftColumn may choose another
// test or threshold, or ignore the column): for a baseline of 1,000 non-null
// values or fewer, the two-sample Kolmogorov–Smirnov test for numbers and
// the chi-squared test for strings, each drifting at p < 0.05; for larger
// baselines the Wasserstein distance divided by the baseline's standard
// deviation, and the Jensen–Shannon distance, each drifting at ≥ 0.1.
// PSI (on the baseline's deciles) and the L-infinity distance are available
// per column. The data set drifts when at least Drift.Share of the tested
// columns drift (half by default).
//
// The statistics agree with SciPy's to 1e-9 whenever the sketches are exact,
// that is when a column has at most 2,048 values: the sketch then holds
// every value. Beyond that, the numeric tests run on the 2,048-point
// sketches: their statistics are estimates, with rank errors well under 0.5%
// of the rows; KS p-values use the real row counts, with the statistic
// estimated from the sketches.
//
// # Schema
//
// A Schema lists the columns with type, whether required, the allowed share
// of nulls, a range for numbers and a domain for strings with the allowed
// share of unseen values. InferSchema derives one from a baseline profile;
// LoadSchema reads a committed one (YAML, as `mlci data schema` writes it).
// Every schema problem fails the check.
//
// Check joins the three for every data set of a configuration. It does not
// run git or read the baseline's files: the caller profiles the baseline
// (or loads a stored profile) and passes it in.
package datacheck
