package web

import (
	"regexp"
	"strconv"
	"strings"

	"cooptrade/marketplace"
)

// addDomainErrors records the field errors of an EINVALID error from the
// domain against the form's fields, in the visitor's language, and reports
// whether err was nil or such an error. The domain names fields as the
// JSON API does (price_min_pence, tags[2]); the form's names differ a
// little.
func addDomainErrors(f *Form, err error) bool {
	if err == nil {
		return true
	}
	if marketplace.ErrorCode(err) != marketplace.EINVALID {
		return false
	}
	fields := marketplace.ErrorFields(err)
	if len(fields) == 0 {
		f.Problem = "form.error.invalid"
	}
	for _, fe := range fields {
		if fe.Field == "" {
			f.Problem = "form.error.invalid"
			continue
		}
		name := formField(fe.Field)
		key, args := fieldMessage(name, fe.Message)
		f.add(name, key, args...)
	}
	return true
}

// formField returns the form field of a field the domain names.
func formField(field string) string {
	if i := strings.IndexByte(field, '['); i > 0 {
		field = field[:i]
	}
	switch field {
	case "price_min_pence":
		return "price_min"
	case "price_max_pence":
		return "price_max"
	}
	return field
}

// fieldMessages turn the domain's English field messages into catalogue
// keys, in order; the first that matches wins.
var fieldMessages = []struct {
	re  *regexp.Regexp
	key string
	// field limits a pattern to one form field ("" for any).
	field string
}{
	{regexp.MustCompile(`^is required unless the listing is UK-wide or remote$`), "listing.error.postcode_required", ""},
	{regexp.MustCompile(`^A postcode is required\.$`), "listing.error.postcode_required", ""},
	{regexp.MustCompile(`is not a UK postcode area\.$`), "form.error.postcode_area", ""},
	{regexp.MustCompile(`is not a UK postcode\.$`), "form.error.postcode", ""},
	{regexp.MustCompile(`^is required`), "form.error.required", ""},
	{regexp.MustCompile(`^must be at least (\d+) characters long$`), "form.error.min_chars", ""},
	{regexp.MustCompile(`^must be at most (\d+) characters long$`), "form.error.max_chars", ""},
	{regexp.MustCompile(`^must have at most (\d+) items$`), "form.error.max_items", ""},
	{regexp.MustCompile(`^must not contain control characters$`), "form.error.control", ""},
	{regexp.MustCompile(`is not a category`), "listing.error.category", ""},
	{regexp.MustCompile(`^must be letters, digits, spaces and hyphens$`), "listing.error.tag", ""},
	{regexp.MustCompile(`^must be between 1 and (\d+) for an offer`), "listing.error.radius", ""},
	{regexp.MustCompile(`^applies to offers only`), "listing.error.offers_only", ""},
	{regexp.MustCompile(`^applies to needs only`), "listing.error.needs_only", ""},
	{regexp.MustCompile(`^must not be more than price_max_pence$`), "listing.error.price_order", ""},
	{regexp.MustCompile(`^must be at most (\d+)$`), "listing.error.price_max", "price_max"},
	{regexp.MustCompile(`^must be one of:`), "form.error.choose", ""},
	{regexp.MustCompile(`^must be in the future$`), "form.error.future", ""},
	{regexp.MustCompile(`^must be within a year$`), "form.error.within_year", ""},
	{regexp.MustCompile(`^must be at least (\d+)$`), "form.error.min_number", ""},
	{regexp.MustCompile(`^must be at most (\d+)$`), "form.error.max_number", ""},
	{regexp.MustCompile(`^must be an e-mail address$`), "form.error.email", ""},
	{regexp.MustCompile(`https`), "webhook.error.url", "url"},
	{regexp.MustCompile(`.`), "webhook.error.url", "url"},
}

// fieldMessage returns the catalogue key (and its data) of a domain field
// message; an unknown message gets a general one.
func fieldMessage(field, msg string) (string, []any) {
	for _, fm := range fieldMessages {
		if fm.field != "" && fm.field != field {
			continue
		}
		m := fm.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		if len(m) > 1 {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			if fm.key == "listing.error.price_max" {
				return fm.key, []any{"Amount", formatMoney(n)}
			}
			return fm.key, []any{"Count", n, "Number", formatNumber(n)}
		}
		return fm.key, nil
	}
	return "form.error.invalid", nil
}
