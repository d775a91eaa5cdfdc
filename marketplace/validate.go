package marketplace

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"
)

// shapeValidator checks the shape rules written as `validate` tags on the
// domain types (lengths, e-mail and web addresses); the rules that need the
// domain's own knowledge are checked by hand beside them.
var shapeValidator = func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	return v
}()

// checkShape validates the tags of struct s and adds one message per field.
func checkShape(s any, fe *fieldErrors) {
	err := shapeValidator.Struct(s)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		if err != nil {
			fe.add("", "%v", err)
		}
		return
	}
	for _, e := range verrs {
		// Namespace is "Listing.tags[2]"; drop the type name.
		_, field, _ := strings.Cut(e.Namespace(), ".")
		fe.add(field, "%s", shapeMessage(e))
	}
}

func shapeMessage(e validator.FieldError) string {
	isString := e.Kind() == reflect.String
	isList := e.Kind() == reflect.Slice
	switch e.Tag() {
	case "required":
		return "is required"
	case "min":
		if isString {
			return fmt.Sprintf("must be at least %s characters long", e.Param())
		} else if isList {
			return fmt.Sprintf("must have at least %s items", e.Param())
		}
		return fmt.Sprintf("must be at least %s", e.Param())
	case "max":
		if isString {
			return fmt.Sprintf("must be at most %s characters long", e.Param())
		} else if isList {
			return fmt.Sprintf("must have at most %s items", e.Param())
		}
		return fmt.Sprintf("must be at most %s", e.Param())
	case "email":
		return "must be an e-mail address"
	case "http_url":
		return "must be a web address starting with http:// or https://"
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(e.Param(), " ", ", ")
	case "printascii", "printunicode":
		return "must not contain control characters"
	default:
		return fmt.Sprintf("is not valid (%s)", e.Tag())
	}
}

// hasControl reports whether s holds control characters other than the line
// breaks and tabs that a description may contain.
func hasControl(s string, allowBreaks bool) bool {
	for _, r := range s {
		if allowBreaks && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return true
		}
	}
	return false
}
