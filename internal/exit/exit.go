// Package exit maps errors to the process exit codes that mlci documents.
//
// It holds the codes and the error type that carries one; it does not print
// anything. Errors become exit codes in exactly one place, cmd/mlci.
package exit

import (
	"errors"
	"fmt"
)

// The exit codes of every mlci command.
const (
	// OK means success.
	OK = 0
	// Failed means a gate or check failed.
	Failed = 1
	// Usage means a usage or configuration error.
	Usage = 2
	// External means an external failure: git, an API, a stage's command.
	External = 3
)

// Error is an error that carries the exit code it should end the process with.
type Error struct {
	Code int
	Err  error
}

// Error returns the wrapped error's message.
func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *Error) Unwrap() error { return e.Err }

// Usagef returns a usage or configuration error (exit code 2).
func Usagef(format string, args ...any) error {
	return &Error{Code: Usage, Err: fmt.Errorf(format, args...)}
}

// Externalf returns an external failure (exit code 3).
func Externalf(format string, args ...any) error {
	return &Error{Code: External, Err: fmt.Errorf(format, args...)}
}

// Failedf returns a failed gate or check (exit code 1).
func Failedf(format string, args ...any) error {
	return &Error{Code: Failed, Err: fmt.Errorf(format, args...)}
}

// With wraps err so that it ends the process with code. A nil err stays nil.
func With(code int, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// Code returns the exit code for err: 0 for nil, the code of the outermost
// Error in its chain, and External for any other error.
func Code(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return External
}
