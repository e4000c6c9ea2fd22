package config

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// parsing are DVC's `parsing` options (.dvc/config), which say how a
// dictionary unpacked into a cmd writes booleans and lists.
type parsing struct {
	// boolOptional writes false as --no-key (bool: boolean_optional);
	// otherwise false is left out (store_true).
	boolOptional bool
	// listAppend repeats --key before each item (list: append); otherwise
	// the items follow one --key (nargs).
	listAppend bool
}

// dvcConfigFiles are DVC's repository config files, the later overriding.
var dvcConfigFiles = []string{".dvc/config", ".dvc/config.local"}

// readParsing reads the parsing section of DVC's config files under root.
// Other sections are DVC's business and are not read.
func (d *decoder) readParsing(root string) parsing {
	var p parsing
	for _, name := range dvcConfigFiles {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			d.errorAt(Pos{File: name}, "", "reading DVC's config: %v", err)
			continue
		}
		d.parsingSection(name, data, &p)
	}
	return p
}

// parsingSection applies the keys of the [parsing] section of one config
// file, in DVC's INI dialect.
func (d *decoder) parsingSection(name string, data []byte, p *parsing) {
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		switch {
		case text == "" || text[0] == '#' || text[0] == ';':
			continue
		case text[0] == '[':
			section = strings.Trim(strings.TrimSpace(strings.Trim(text, "[]")), `'"`)
			continue
		case section != "parsing":
			continue
		}
		key, value, ok := strings.Cut(text, "=")
		key, value = strings.TrimSpace(key), strings.Trim(strings.TrimSpace(value), `'"`)
		at := Pos{File: name, Line: line}
		switch {
		case !ok:
			d.errorAt(at, "parsing", "expected key = value, got %q", text)
		case key == "bool" && (value == "store_true" || value == "boolean_optional"):
			p.boolOptional = value == "boolean_optional"
		case key == "bool":
			d.errorAt(at, "parsing.bool", "expected store_true or boolean_optional, got %q",
				value)
		case key == "list" && (value == "nargs" || value == "append"):
			p.listAppend = value == "append"
		case key == "list":
			d.errorAt(at, "parsing.list", "expected nargs or append, got %q", value)
		default:
			d.errorAt(at, "parsing", "unknown key %q; expected bool or list", key)
		}
	}
}
