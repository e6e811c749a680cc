// Package errs defines Atrium's one error type: a kind that says what went
// wrong in terms every protocol can map, the operation that failed, a message
// that is safe to show to the caller, and the internal cause.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error for callers. Adapters map kinds to wire errors.
type Kind uint8

const (
	// Internal is the zero kind: anything unclassified is internal and its
	// detail is never shown to a caller.
	Internal        Kind = iota
	Invalid              // the request is malformed or breaks a rule
	NotFound             // the named resource does not exist
	Conflict             // the request conflicts with the current state
	Denied               // the caller is not allowed to do this
	Unauthenticated      // the caller could not be identified
	Throttled            // too many requests
	QuotaExceeded        // a limit on the number of things was reached
	Unavailable          // a dependency is down; try again
)

var kindNames = [...]string{"internal", "invalid", "not found", "conflict", "denied", "unauthenticated", "throttled", "quota exceeded", "unavailable"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Error is the error type of Atrium's domain and service layers.
type Error struct {
	Kind Kind
	Op   string // the operation, e.g. "service.CreateUser"
	// Msg is the public message. It must never hold a secret or internal detail.
	Msg string
	// Code refines the kind for protocols that have finer codes, e.g. an AWS
	// exception name ("InvalidSignatureException"). Optional.
	Code string
	// Fields carries protocol-neutral detail that wire formats may expose,
	// e.g. "ResourceType": "USER", "Reason": "UNIQUENESS_CONSTRAINT_VIOLATION".
	Fields map[string]string
	Err    error // internal cause, never shown
}

func (e *Error) Error() string {
	s := e.Op
	if s != "" {
		s += ": "
	}
	if e.Msg != "" {
		s += e.Msg
	} else {
		s += e.Kind.String()
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an error of the given kind with a public message.
func E(kind Kind, op, msg string) *Error { return &Error{Kind: kind, Op: op, Msg: msg} }

// Errorf builds an error of the given kind with a formatted public message.
func Errorf(kind Kind, op, format string, args ...any) *Error {
	return &Error{Kind: kind, Op: op, Msg: fmt.Sprintf(format, args...)}
}

// Wrap wraps an internal cause as an internal error of op. If err already is
// an *Error it is returned with op recorded, keeping its kind and message.
func Wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Kind: Internal, Op: op, Err: err}
}

// With returns a copy of e with a detail field set.
func (e *Error) With(key, value string) *Error {
	c := *e
	c.Fields = make(map[string]string, len(e.Fields)+1)
	for k, v := range e.Fields {
		c.Fields[k] = v
	}
	c.Fields[key] = value
	return &c
}

// WithCode returns a copy of e with a protocol code set.
func (e *Error) WithCode(code string) *Error {
	c := *e
	c.Code = code
	return &c
}

// KindOf returns the kind of err: Internal for anything that is not an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Public returns the message of err that may be shown to a caller.
// Internal errors always give a generic message.
func Public(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		if e.Msg != "" {
			return e.Msg
		}
		return e.Kind.String()
	}
	return "An internal error occurred."
}

// As returns err as an *Error, or an internal *Error wrapping it.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: Internal, Err: err}
}
