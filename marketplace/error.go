package marketplace

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes of the application. Adapters translate their own errors into
// these where the errors leave them; the HTTP API maps each code to one status.
const (
	EINVALID              = "invalid"
	EUNAUTHORIZED         = "unauthorized"
	EFORBIDDEN            = "forbidden"
	ENOTFOUND             = "not_found"
	ECONFLICT             = "conflict"
	EPRECONDITION         = "precondition_failed"
	EPRECONDITIONREQUIRED = "precondition_required"
	EPAYMENTREQUIRED      = "payment_required"
	ERATELIMITED          = "rate_limited"
	EUNAVAILABLE          = "unavailable"
	EINTERNAL             = "internal"
)

// Error is an error the application understands: a code for programs, a
// message for people and, for invalid input, the fields at fault.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
}

// FieldError names one field of the input and what is wrong with it. Field is
// the JSON name of the field (or query parameter), dotted for nested fields.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	// Rule names the rule broken (RuleRequired, PasswordGuessable…) and
	// Params its parameters, so that the pages word it in each language;
	// Message is its English wording. Errors made outside the domain's
	// checks may carry a Message alone.
	Rule   string     `json:"-"`
	Params RuleParams `json:"-"`
}

// Error implements the error interface. It is meant for logs, not people.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "marketplace error: code=%s message=%s", e.Code, e.Message)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, " %s=%q", f.Field, f.Message)
	}
	return b.String()
}

// Errorf returns an application error with the given code and message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error for the given field errors.
func Invalid(fields ...FieldError) *Error {
	msg := "The request is not valid."
	if len(fields) == 1 {
		msg = fields[0].Field + ": " + fields[0].Message
	}
	return &Error{Code: EINVALID, Message: msg, Fields: fields}
}

// ErrorCode returns the code of the application error in err's chain, or
// EINTERNAL for any other error, or "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the application error in err's chain,
// or a generic message for any other error, so internals never reach people.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorFields returns the field errors of the application error in err's chain.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// fieldErrors collects field errors while validating.
type fieldErrors []FieldError

// broke records that field breaks rule.
func (fe *fieldErrors) broke(field, rule string, p RuleParams) {
	*fe = append(*fe, Broken(field, rule, p))
}

// err returns nil when nothing was collected.
func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	return Invalid(fe...)
}

// WithCode returns a copy of e with another code, e.g. a field error that is
// a conflict (a taken slug) rather than invalid input.
func (e *Error) WithCode(code string) *Error {
	c := *e
	c.Code = code
	return &c
}
