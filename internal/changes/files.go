package changes

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/platform"
)

// files lists the changed paths of sp with their classes.
func (d *detector) files(ctx context.Context, sp span) ([]File, error) {
	if sp.source == "api" {
		return d.apiFiles(sp.api), nil
	}
	base := sp.base
	if base == "" {
		empty, err := d.repo.EmptyTree(ctx)
		if err != nil {
			return nil, err
		}
		base = empty
	}

	var files []File
	err := d.repo.DiffFunc(ctx, base, sp.head, func(c git.Change) error {
		files = append(files, d.file(c))
		return nil
	})
	return files, err
}

func (d *detector) file(c git.Change) File {
	f := File{Path: c.Path, OldPath: c.OldPath, Class: d.classes.Classify(c.Path),
		Submodule: c.Submodule()}
	switch c.Status {
	case git.Added:
		f.Status = Added
	case git.Deleted:
		f.Status = Deleted
	case git.Renamed:
		f.Status = Renamed
	default:
		f.Status = Modified
	}
	if c.ModeChanged() {
		f.Mode = c.OldMode + " → " + c.NewMode
	}
	return f
}

func (d *detector) apiFiles(list []platform.ChangedFile) []File {
	files := make([]File, 0, len(list))
	for _, cf := range list {
		f := File{Path: cf.Path, Status: cf.Status, Class: d.classes.Classify(cf.Path)}
		switch cf.Status {
		case Added, Deleted, Modified:
		case Renamed:
			f.OldPath = cf.OldPath
		default:
			f.Status = Modified
		}
		files = append(files, f)
	}
	return files
}

// basePath is where f was on the base side.
func (f File) basePath() string {
	if f.OldPath != "" {
		return f.OldPath
	}
	return f.Path
}

// sides returns the base and head contents of f; a side without the file
// is nil. known is false when the base side cannot be read at all (the
// API gave the files and the clone lacks the base).
func (d *detector) sides(ctx context.Context, sp span, f File) (base, head []byte, known bool,
	err error) {
	if f.Status != Added {
		if sp.contents == "" {
			return nil, nil, false, nil
		}
		if base, err = d.show(ctx, sp.contents, f.basePath()); err != nil {
			return nil, nil, false, err
		}
	}
	if f.Status != Deleted {
		if head, err = d.show(ctx, sp.head, f.Path); err != nil {
			return nil, nil, false, err
		}
	}
	return base, head, true, nil
}

// show reads path at rev through one long-lived cat-file process; a
// missing file is nil.
func (d *detector) show(ctx context.Context, rev, path string) ([]byte, error) {
	if rev == "" {
		return nil, nil
	}
	if d.batchDone == nil {
		d.startBatch(ctx)
	}
	<-d.batchDone
	if d.batchErr != nil {
		return nil, d.batchErr
	}
	data, err := d.batch.Show(rev, path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", path, short(rev), err)
	}
	return data, nil
}
