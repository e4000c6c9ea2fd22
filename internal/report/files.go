package report

import (
	"fmt"
	"os"
	"path/filepath"
)

// fileNames are the report files WriteFiles writes, by format.
var fileNames = map[string]string{
	MD:       "report.md",
	Summary:  "summary.md",
	JSON:     "report.json",
	HTMLPage: "report.html",
}

// FileName returns the name WriteFiles gives a format's file ("report.md"),
// or "" for a format it does not know.
func FileName(format string) string { return fileNames[format] }

// WriteFiles renders d in every format into dir (created if missing) and
// returns the paths written, by file name. Each file is written to a
// temporary file and renamed, so a reader never sees half a report; every
// format is rendered before the first file is written, so a template error
// leaves dir as it was.
func WriteFiles(dir string, d *Data, opts Options) (map[string]string, error) {
	rendered := map[string][]byte{}
	for _, format := range Formats {
		out, err := Render(format, d, opts)
		if err != nil {
			return nil, fmt.Errorf("rendering %s: %w", fileNames[format], err)
		}
		rendered[fileNames[format]] = out
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	paths := map[string]string{}
	for _, format := range Formats {
		name := fileNames[format]
		path := filepath.Join(dir, name)
		if err := writeAtomic(path, rendered[name]); err != nil {
			return nil, err
		}
		paths[name] = path
	}
	return paths, nil
}

// writeAtomic writes data to path through a temporary file in the same
// folder and a rename.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed

	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
