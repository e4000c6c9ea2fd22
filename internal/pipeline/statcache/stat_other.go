//go:build !linux

package statcache

import "io/fs"

// TODO: inode and ctime are only read on Linux; elsewhere size and mtime alone
// guard an entry, which misses a same-size rewrite that restores the mtime.
func inodeCtime(fs.FileInfo) (ino, ctime int64) { return 0, 0 }
