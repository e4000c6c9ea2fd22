package digest

import (
	"bytes"
	"errors"
	"hash"
	"io"
)

// textSample is how much of each chunk DVC looks at to decide it is text.
const textSample = 512

// copyDos2Unix hashes r as DVC's md5-dos2unix does: chunk by chunk of 1 MiB,
// each chunk whose first 512 bytes look like text has CRLF replaced by LF.
// A CRLF split by a chunk boundary stays, as it does in DVC.
func copyDos2Unix(h hash.Hash, r io.Reader, buf []byte) error {
	crlf, lf := []byte("\r\n"), []byte("\n")
	for {
		n, err := io.ReadFull(r, buf)
		chunk := buf[:n]
		if n > 0 && isText(chunk[:min(n, textSample)]) {
			chunk = bytes.ReplaceAll(chunk, crlf, lf)
		}
		h.Write(chunk)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// isText applies DVC's heuristic: no NUL byte, and at most 30% of the bytes
// outside printable ASCII and \n \r \t \f \b.
func isText(block []byte) bool {
	if len(block) == 0 {
		return true
	}
	if bytes.IndexByte(block, 0) >= 0 {
		return false
	}
	nontext := 0
	for _, c := range block {
		if !textChar(c) {
			nontext++
		}
	}
	return float64(nontext)/float64(len(block)) <= 0.30
}

func textChar(c byte) bool {
	switch c {
	case '\n', '\r', '\t', '\f', '\b':
		return true
	}
	return c >= 32 && c < 127
}
