package statcache

import (
	"io/fs"
	"syscall"
)

func inodeCtime(fi fs.FileInfo) (ino, ctime int64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0
	}
	return int64(st.Ino), st.Ctim.Nano()
}
