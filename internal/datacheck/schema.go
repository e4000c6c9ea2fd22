package datacheck

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// SchemaVersion is the version of the schema file format.
const SchemaVersion = 1

// The values of Schema.ExtraColumns and SchemaIssue.Severity.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	// ExtraIgnore lets columns the schema does not list pass unremarked.
	ExtraIgnore = "ignore"
)

// Schema is what a data set must look like.
type Schema struct {
	Version int `yaml:"version" json:"version"`
	// MinRows is the fewest rows the data may have.
	MinRows int64 `yaml:"min_rows" json:"min_rows"`
	// ExtraColumns says what a column the schema does not list is: an
	// "error" (the default), a "warning", or "ignore"d.
	ExtraColumns string         `yaml:"extra_columns,omitempty" json:"extra_columns,omitempty"`
	Columns      []ColumnSchema `yaml:"columns" json:"columns"`
}

// ColumnSchema is what one column must look like.
type ColumnSchema struct {
	Name string `yaml:"name" json:"name"`
	// Type is integer, number, string or any. A number column accepts
	// integers; a column of nulls fits every type.
	Type string `yaml:"type" json:"type"`
	// Required columns must be present.
	Required bool `yaml:"required" json:"required"`
	// MaxNullShare is the largest allowed share of nulls, from 0 to 1.
	MaxNullShare float64 `yaml:"max_null_share" json:"max_null_share"`
	// Min and Max bound the values of a number column.
	Min *float64 `yaml:"min,omitempty" json:"min,omitempty"`
	Max *float64 `yaml:"max,omitempty" json:"max,omitempty"`
	// Domain lists the values of a string column; empty means any value.
	Domain []string `yaml:"domain,omitempty,flow" json:"domain,omitempty"`
	// MaxUnseenShare is the largest allowed share of values outside Domain.
	MaxUnseenShare float64 `yaml:"max_unseen_share,omitempty" json:"max_unseen_share,omitempty"`

	line int // where the column is written, for messages
}

// TypeAny is the schema type that accepts any column.
const TypeAny = "any"

// SchemaIssue is one way the data does not fit its schema.
type SchemaIssue struct {
	Column string `json:"column,omitempty"`
	// Rule is rows, missing_column, extra_column, type, nulls, min, max or
	// domain.
	Rule     string `json:"rule"`
	Message  string `json:"message"`
	Severity string `json:"severity"`
}

// Column returns the schema of the column called name, or nil.
func (s *Schema) Column(name string) *ColumnSchema {
	for i := range s.Columns {
		if s.Columns[i].Name == name {
			return &s.Columns[i]
		}
	}
	return nil
}

// LoadSchema reads a schema file that `mlci data schema` wrote (and people
// edited). Its errors name the file and line.
func LoadSchema(path string) (*Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading schema: %w", err)
	}
	s, err := ParseSchema(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ParseSchema reads a schema from YAML; errors start with "line N:".
func ParseSchema(data []byte) (*Schema, error) {
	var s Schema
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: the file is empty", ErrSchema)
		}
		return nil, fmt.Errorf("%w: %v", ErrSchema, yamlMessage(err))
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// columnKeys are the keys a column may have.
var columnKeys = []string{"name", "type", "required", "max_null_share", "min", "max", "domain",
	"max_unseen_share"}

// UnmarshalYAML decodes a column and remembers its line. Unknown keys are
// refused here, as a node's Decode does not inherit the decoder's
// KnownFields.
func (c *ColumnSchema) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			if k := n.Content[i]; !slices.Contains(columnKeys, k.Value) {
				return fmt.Errorf("line %d: field %s not found in a column; expected %s",
					k.Line, k.Value, strings.Join(columnKeys, ", "))
			}
		}
	}
	type plain ColumnSchema
	if err := n.Decode((*plain)(c)); err != nil {
		return err
	}
	c.line = n.Line
	return nil
}

// ErrSchema is a schema file that cannot be used.
var ErrSchema = errors.New("invalid schema")

// validate checks what YAML decoding cannot.
func (s *Schema) validate() error {
	if s.Version != SchemaVersion {
		return fmt.Errorf("%w: version is %d, expected %d", ErrSchema, s.Version, SchemaVersion)
	}
	if !slices.Contains([]string{"", SeverityError, SeverityWarning, ExtraIgnore}, s.ExtraColumns) {
		return fmt.Errorf("%w: extra_columns is %q, expected error, warning or ignore",
			ErrSchema, s.ExtraColumns)
	}
	seen := map[string]int{}
	for _, c := range s.Columns {
		if err := c.validate(); err != nil {
			return fmt.Errorf("%w: line %d: column %q: %v", ErrSchema, c.line, c.Name, err)
		}
		if l, dup := seen[c.Name]; dup {
			return fmt.Errorf("%w: line %d: column %q is listed already on line %d",
				ErrSchema, c.line, c.Name, l)
		}
		seen[c.Name] = c.line
	}
	return nil
}

func (c *ColumnSchema) validate() error {
	switch {
	case c.Name == "":
		return errors.New("name is empty")
	case !slices.Contains([]string{TypeInteger, TypeNumber, TypeString, TypeAny}, c.Type):
		return fmt.Errorf("type is %q, expected integer, number, string or any", c.Type)
	case !isShare(c.MaxNullShare) || !isShare(c.MaxUnseenShare):
		return errors.New("max_null_share and max_unseen_share must be between 0 and 1")
	case c.Min != nil && c.Max != nil && *c.Min > *c.Max:
		return fmt.Errorf("min %v is above max %v", *c.Min, *c.Max)
	case (c.Min != nil || c.Max != nil) && c.Type == TypeString:
		return errors.New("min and max apply to integer and number columns")
	case len(c.Domain) > 0 && c.Type != TypeString:
		return errors.New("domain applies to string columns")
	}
	return nil
}

func isShare(x float64) bool { return x >= 0 && x <= 1 }

// yamlMessage drops the yaml package's prefix from its errors.
func yamlMessage(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		return te.Errors[0]
	}
	msg, _ := strings.CutPrefix(err.Error(), "yaml: ")
	return msg
}

// WriteYAML writes the schema for people to review and edit.
func (s *Schema) WriteYAML(w io.Writer, comment string) error {
	var buf bytes.Buffer
	for l := range strings.Lines(comment) {
		fmt.Fprintf(&buf, "# %s\n", strings.TrimSuffix(l, "\n"))
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("writing schema: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("writing schema: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// roundUp rounds x up to the given number of decimals.
func roundUp(x float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Ceil(x*p-1e-9) / p
}
