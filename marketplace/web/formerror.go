package web

import (
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
		key, args := fieldMessage(name, fe)
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

// invalid is the catalogue key of a rule the pages word no more precisely
// than "check what you entered here".
const invalid = "form.error.invalid"

// ruleKeys are the catalogue keys of the domain's rules. Every rule is
// here, so that a new rule is worded on purpose (a test checks).
var ruleKeys = map[string]string{
	marketplace.RuleRequired:         "form.error.required",
	marketplace.RuleNotEmpty:         invalid,
	marketplace.RuleMinLength:        "form.error.min_chars",
	marketplace.RuleMaxLength:        "form.error.max_chars",
	marketplace.RuleMinItems:         invalid,
	marketplace.RuleMaxItems:         "form.error.max_items",
	marketplace.RuleMin:              "form.error.min_number",
	marketplace.RuleMax:              "form.error.max_number",
	marketplace.RuleBetween:          invalid,
	marketplace.RuleNotNegative:      invalid,
	marketplace.RuleMinAmount:        invalid,
	marketplace.RuleMaxAmount:        invalid,
	marketplace.RulePositiveAmount:   invalid,
	marketplace.RuleMaxDues:          invalid,
	marketplace.RuleOneOf:            "form.error.choose",
	marketplace.RuleEither:           invalid,
	marketplace.RuleEmail:            "form.error.email",
	marketplace.RuleWebAddress:       invalid,
	marketplace.RuleControl:          "form.error.control",
	marketplace.RuleInvalid:          invalid,
	marketplace.RuleCategory:         "listing.error.category",
	marketplace.RuleCategoryOrSector: "listing.error.category",
	marketplace.RuleSector:           invalid,
	marketplace.RuleKnownValue:       invalid,
	marketplace.RulePostcode:         "form.error.postcode",
	marketplace.RulePostcodeArea:     "form.error.postcode_area",
	marketplace.RulePostcodeDistrict: "places.error.postcode_district",
	marketplace.RulePostcodeOrRemote: "listing.error.postcode_required",
	marketplace.RuleTag:              "listing.error.tag",
	marketplace.RuleSlug:             invalid,
	marketplace.RuleRegistration:     invalid,
	marketplace.RuleListingStatus:    invalid,
	marketplace.RuleStanding:         invalid,
	marketplace.RuleOffersOnly:       "listing.error.offers_only",
	marketplace.RuleNeedsOnly:        "listing.error.needs_only",
	marketplace.RuleDealsOnly:        invalid,
	marketplace.RuleMembersOnly:      invalid,
	marketplace.RuleNotMoreThan:      "listing.error.price_order",
	marketplace.RuleBefore:           invalid,
	marketplace.RuleAfter:            invalid,
	marketplace.RuleFuture:           "form.error.future",
	marketplace.RuleWithinYears:      "form.error.within_year",
	marketplace.RuleAbsoluteURL:      "webhook.error.url",
	marketplace.RuleHTTPS:            "webhook.error.url",
	marketplace.RuleNoUserinfo:       "webhook.error.url",
	marketplace.RuleNoFragment:       "webhook.error.url",
	marketplace.RuleNoSpaces:         "webhook.error.url",
	marketplace.RulePublicAddress:    "webhook.error.url",
	marketplace.RuleUnsubscribe:      invalid,
	marketplace.RuleWrong:            "password.error.wrong",
	marketplace.RuleRecorded:         "staff.member.error.reference_used",
	marketplace.RuleTaken:            invalid,
	marketplace.RuleHasAccount:       invalid,
	marketplace.RuleCursor:           invalid,
	marketplace.RuleResetLink:        "reset.error.link",
	marketplace.RuleStaffNoRole:      invalid,
	marketplace.RuleHardshipYears:    "duesapply.error.hardship_years",
	marketplace.RuleWorkerHardship:   "duesapply.error.worker_hardship",
	marketplace.RuleInvitationLink:   "join.error.invitation_link",
	marketplace.RuleConfirmLink:      "join.error.confirm_link",
	marketplace.RuleSocietyOrCompany: "join.error.registration",
	marketplace.PasswordTooShort:     "password.error.too_short",
	marketplace.PasswordTooLong:      "password.error.too_long",
	marketplace.PasswordPersonal:     "password.error.personal",
	marketplace.PasswordGuessable:    "password.error.guessable",
}

// fieldRule is a rule broken by one form field.
type fieldRule struct{ field, rule string }

// fieldRuleKeys word a rule more precisely for one form field.
var fieldRuleKeys = map[fieldRule]string{
	{"radius_km", marketplace.RuleBetween}: "listing.error.radius",
	{"price_max", marketplace.RuleMax}:     "listing.error.price_max",
	{"url", marketplace.RuleMaxLength}:     "webhook.error.url",
}

// fieldMessage returns the catalogue key, and its data, of a field error
// of the domain on the form field; a rule the pages do not word precisely,
// or an error without one, gets a general message.
func fieldMessage(field string, fe marketplace.FieldError) (string, []any) {
	key, ok := fieldRuleKeys[fieldRule{field, fe.Rule}]
	if !ok {
		key, ok = ruleKeys[fe.Rule]
	}
	if !ok || fe.Rule == marketplace.RuleWithinYears && fe.Params.Max != 1 {
		return invalid, nil
	}
	return key, ruleData(fe.Params)
}

// ruleData is the data a catalogue message of a rule may show: the limit
// as a count and number, or as an amount of money.
func ruleData(p marketplace.RuleParams) []any {
	n := p.Max
	if n == 0 {
		n = p.Min
	}
	return []any{"Count", n, "Number", formatNumber(n), "Amount", formatMoney(n)}
}
