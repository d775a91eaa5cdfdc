package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// decodeBody reads the JSON object in the request body into v, strictly:
// unknown fields, trailing data, and keys that a database could read as an
// operator (starting with "$" or containing ".") are refused, each as a
// field error.
func decodeBody(c *fiber.Ctx, v any) error {
	if ct := string(c.Request().Header.ContentType()); ct != "" && !isJSON(ct) {
		return &httpError{code: codeUnsupportedMedia, detail: "Send the body as application/json."}
	}
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return marketplace.Invalid(marketplace.FieldError{Field: "body", Message: "is empty; send a JSON object"})
	}
	doc, err := checkKeys(body)
	if err != nil {
		return err
	}
	if field := unknownField("", doc, reflect.TypeOf(v)); field != "" {
		return marketplace.Invalid(marketplace.FieldError{Field: field, Message: "is not a known field"})
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return marketplace.Invalid(marketplace.FieldError{Field: "body", Message: "holds more than one JSON value"})
	}
	return nil
}

func isJSON(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(strings.ToLower(mt))
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// checkKeys walks the body and refuses operator-like keys at any depth; it
// returns the body as generic JSON.
func checkKeys(body []byte) (any, error) {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, jsonError(err)
	}
	if _, ok := doc.(map[string]any); !ok {
		return nil, marketplace.Invalid(marketplace.FieldError{Field: "body", Message: "must be a JSON object"})
	}
	var walk func(path string, v any) error
	walk = func(path string, v any) error {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				field := k
				if path != "" {
					field = path + "." + k
				}
				if strings.HasPrefix(k, "$") || strings.Contains(k, ".") || strings.ContainsRune(k, 0) {
					return marketplace.Invalid(marketplace.FieldError{Field: field, Message: "is not an accepted field name (no \"$\" or \".\" in names)"})
				}
				if err := walk(field, child); err != nil {
					return err
				}
			}
		case []any:
			for i, child := range x {
				if err := walk(fmt.Sprintf("%s[%d]", path, i), child); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return doc, walk("", doc)
}

// unknownField returns the first key of the JSON value v (at path) that
// the Go type t has no field for, as encoding/json would match it (case
// aside), or "" when every key is known. It names the field itself, where
// the decoder's own error would have to be read as English.
func unknownField(path string, v any, t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return "" // it reads itself
	}
	switch x := v.(type) {
	case map[string]any:
		if t.Kind() == reflect.Map {
			for k, child := range x {
				if f := unknownField(join(path, k), child, t.Elem()); f != "" {
					return f
				}
			}
			return ""
		}
		if t.Kind() != reflect.Struct {
			return ""
		}
		fields := jsonFields(t)
		for k, child := range x {
			ft, ok := fields[strings.ToLower(k)]
			if !ok {
				return join(path, k)
			}
			if f := unknownField(join(path, k), child, ft); f != "" {
				return f
			}
		}
	case []any:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return ""
		}
		for i, child := range x {
			if f := unknownField(fmt.Sprintf("%s[%d]", path, i), child, t.Elem()); f != "" {
				return f
			}
		}
	}
	return ""
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// jsonFields returns the JSON names of a struct's fields (lower-cased, as
// the decoder matches them), those of embedded structs included.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" {
			et := f.Type
			for et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				for k, v := range jsonFields(et) {
					out[k] = v
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		out[strings.ToLower(name)] = f.Type
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// jsonError turns a decoding error into a field error.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return marketplace.Invalid(marketplace.FieldError{Field: field, Message: "must be " + jsonTypeName(typ.Type.String())})
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		return marketplace.Invalid(marketplace.FieldError{Field: "body", Message: "is not valid JSON"})
	}
	return marketplace.Invalid(marketplace.FieldError{Field: "body", Message: "cannot be read: " + err.Error()})
}

func jsonTypeName(goType string) string {
	switch {
	case strings.Contains(goType, "int"):
		return "a whole number"
	case strings.Contains(goType, "float"):
		return "a number"
	case strings.Contains(goType, "bool"):
		return "true or false"
	case strings.HasPrefix(goType, "[]") || strings.HasPrefix(goType, "*[]"):
		return "a list"
	case strings.Contains(goType, "string"), strings.Contains(goType, "Kind"), strings.Contains(goType, "Status"),
		strings.Contains(goType, "Standing"), strings.Contains(goType, "Role"):
		return "a string"
	}
	return "of another type"
}

// parseTime reads an optional time field kept raw by the decoder: absent
// (not set), null (set, nil), a date (2027-03-01, taken as the end of that
// day, UTC) or an RFC 3339 time.
func parseTime(field string, raw json.RawMessage) (set bool, t *time.Time, err error) {
	if raw == nil {
		return false, nil, nil
	}
	if string(raw) == "null" {
		return true, nil, nil
	}
	bad := marketplace.Invalid(marketplace.FieldError{Field: field, Message: "must be a date (2027-03-01) or an RFC 3339 time"})
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return true, nil, bad
	}
	if v, err := time.Parse(time.RFC3339, s); err == nil {
		v = v.UTC()
		return true, &v, nil
	}
	if v, err := time.Parse(time.DateOnly, s); err == nil {
		v = v.Add(24*time.Hour - time.Second)
		return true, &v, nil
	}
	return true, nil, bad
}
