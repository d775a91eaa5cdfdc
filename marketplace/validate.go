package marketplace

import (
	"errors"
	"reflect"
	"strconv"
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

// checkShape validates the tags of struct s and records the rule each
// field breaks.
func checkShape(s any, fe *fieldErrors) {
	err := shapeValidator.Struct(s)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		if err != nil {
			*fe = append(*fe, FieldError{Message: err.Error(), Rule: RuleInvalid})
		}
		return
	}
	for _, e := range verrs {
		// Namespace is "Listing.tags[2]"; drop the type name.
		_, field, _ := strings.Cut(e.Namespace(), ".")
		rule, p := shapeRule(e)
		fe.broke(field, rule, p)
	}
}

// shapeRule returns the rule, and its parameters, of a failed validator tag.
func shapeRule(e validator.FieldError) (string, RuleParams) {
	n, _ := strconv.ParseInt(e.Param(), 10, 64)
	isString := e.Kind() == reflect.String
	isList := e.Kind() == reflect.Slice
	switch e.Tag() {
	case "required":
		return RuleRequired, RuleParams{}
	case "min":
		switch {
		case isString:
			return RuleMinLength, RuleParams{Min: n}
		case isList:
			return RuleMinItems, RuleParams{Min: n}
		}
		return RuleMin, RuleParams{Min: n}
	case "max":
		switch {
		case isString:
			return RuleMaxLength, RuleParams{Max: n}
		case isList:
			return RuleMaxItems, RuleParams{Max: n}
		}
		return RuleMax, RuleParams{Max: n}
	case "email":
		return RuleEmail, RuleParams{}
	case "http_url":
		return RuleWebAddress, RuleParams{}
	case "oneof":
		return RuleOneOf, RuleParams{Options: strings.Fields(e.Param())}
	case "printascii", "printunicode":
		return RuleControl, RuleParams{}
	default:
		return RuleInvalid, RuleParams{Value: e.Tag()}
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
