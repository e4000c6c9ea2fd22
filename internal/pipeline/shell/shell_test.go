package shell_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/pipeline/shell"
)

func TestRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		line     string
		code     int
		wantErr  string
		wantTail []string
	}{
		{"ok", "echo one; echo two >&2", 0, "", []string{"one", "two"}},
		{"fails", "echo boom; exit 3", 3, "exited with status 3", []string{"boom"}},
		{"not found", "no-such-command-mlci", 127, "command not found", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			res, err := shell.Run(t.Context(), shell.Command{Line: tt.line, Dir: t.TempDir(),
				Output: &out})
			assert.Equal(t, tt.code, res.ExitCode)
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				var xe *shell.ExitError
				require.ErrorAs(t, err, &xe)
				assert.Contains(t, err.Error(), tt.wantErr)
			}
			if tt.wantTail != nil {
				assert.Equal(t, tt.wantTail, res.Tail)
			}
		})
	}
}

func TestTailKeepsLastLines(t *testing.T) {
	t.Parallel()
	res, err := shell.Run(t.Context(), shell.Command{Line: "seq 1 100; printf end"})
	require.NoError(t, err)
	require.Len(t, res.Tail, shell.TailLines)
	assert.Equal(t, "82", res.Tail[0])
	assert.Equal(t, "end", res.Tail[len(res.Tail)-1])
}

// TestTimeoutKillsTheGroup checks that a child the shell started dies too.
func TestTimeoutKillsTheGroup(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "pid")
	line := "sleep 30 & echo $! > " + pidFile + "; wait"
	start := time.Now()
	// Long enough for a loaded machine to start the shell and write the pid.
	_, err := shell.Run(t.Context(), shell.Command{Line: line, Timeout: 2 * time.Second})
	var xe *shell.ExitError
	require.ErrorAs(t, err, &xe)
	assert.True(t, xe.TimedOut)
	assert.Contains(t, err.Error(), "timed out after 2s")
	assert.Less(t, time.Since(start), 2*time.Second+shell.Grace)

	data, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	require.NoError(t, err)
	assert.Eventually(t, func() bool { return gone(pid) }, 5*time.Second,
		20*time.Millisecond, "the background sleep is killed")
}

// gone reports whether process pid has ended: it no longer exists, or it
// is a zombie that whoever adopted it has not reaped yet (a busy init in a
// container can take its time).
func gone(pid int) bool {
	if errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false // no /proc to tell a zombie by: wait for the reaping
	}
	// The state follows the command's name in parentheses: "pid (comm) Z …".
	rest := stat[bytes.LastIndexByte(stat, ')')+1:]
	return len(bytes.TrimSpace(rest)) > 0 && bytes.TrimSpace(rest)[0] == 'Z'
}

func TestInterrupt(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := shell.Run(ctx, shell.Command{Line: "sleep 30"})
	var xe *shell.ExitError
	require.ErrorAs(t, err, &xe)
	assert.True(t, xe.Interrupted)
}
