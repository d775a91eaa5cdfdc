package marketplace

import (
	"fmt"
	"strconv"
	"strings"
)

// Rules a field of the input can break, as FieldError.Rule. The domain
// decides which rule is broken and with which parameters; RuleMessage words
// it in English for the API, and the pages word it in each language from
// their catalogues, so nobody reads the English back.
const (
	RuleRequired         = "required"        // is required
	RuleNotEmpty         = "not_empty"       // must not be empty
	RuleMinLength        = "min_length"      // Min characters
	RuleMaxLength        = "max_length"      // Max characters
	RuleMinItems         = "min_items"       // Min items
	RuleMaxItems         = "max_items"       // Max items
	RuleMin              = "min"             // a number of at least Min
	RuleMax              = "max"             // a number of at most Max
	RuleBetween          = "between"         // a number from Min to Max
	RuleNotNegative      = "not_negative"    // a number of 0 or more
	RuleMinAmount        = "min_amount"      // an amount of at least Min pence
	RuleMaxAmount        = "max_amount"      // an amount of at most Max pence
	RulePositiveAmount   = "positive_amount" // an amount from 1p to Max pence
	RuleMaxDues          = "max_dues"        // at most the normal dues, Max pence
	RuleOneOf            = "one_of"          // one of Options
	RuleEither           = "either"          // one of a few Options, worded "a, b or c"
	RuleEmail            = "email"           // an e-mail address
	RuleWebAddress       = "web_address"     // an http:// or https:// address
	RuleControl          = "control_characters"
	RuleInvalid          = "invalid"  // fails a check named Value
	RuleCategory         = "category" // Value is not a category
	RuleCategoryOrSector = "category_or_sector"
	RuleSector           = "sector"            // Value is not a sector
	RuleKnownValue       = "known_value"       // Value is not one of the values (Living Wage…)
	RulePostcode         = "postcode"          // Value is not a UK postcode
	RulePostcodeArea     = "postcode_area"     // Value is not a UK postcode area
	RulePostcodeDistrict = "postcode_district" // Value is not a UK postcode district
	RulePostcodeOrRemote = "postcode_or_remote"
	RuleTag              = "tag" // letters, digits, spaces and hyphens
	RuleSlug             = "slug"
	RuleRegistration     = "registration_number"
	RuleListingStatus    = "listing_status"
	RuleStanding         = "standing"
	RuleOffersOnly       = "offers_only"
	RuleNeedsOnly        = "needs_only"
	RuleDealsOnly        = "deals_only"
	RuleMembersOnly      = "members_only"  // shown to signed-in members only
	RuleNotMoreThan      = "not_more_than" // not more than the field Other
	RuleBefore           = "before"        // before the field Other
	RuleAfter            = "after"         // after the field Other
	RuleFuture           = "future"        // a time ahead
	RuleWithinYears      = "within_years"  // within Max years (of now, or of Other)
	RuleAbsoluteURL      = "absolute_url"
	RuleHTTPS            = "https"
	RuleNoUserinfo       = "no_userinfo"
	RuleNoFragment       = "no_fragment"
	RuleNoSpaces         = "no_spaces"
	RulePublicAddress    = "public_address" // Value says why the address is not public
	RuleUnsubscribe      = "unsubscribe_link"
	RuleWrong            = "wrong"    // a current password that is not right
	RuleRecorded         = "recorded" // a payment reference recorded on Value already
	RuleTaken            = "taken"    // in use by another member
	RuleHasAccount       = "has_account"
	RuleCursor           = "cursor"
	RuleResetLink        = "reset_link" // a reset link used, out of date or replaced
	RuleStaffNoRole      = "staff_no_role"
	RuleHardshipYears    = "hardship_years" // hardship dues had for Max years
	RuleWorkerHardship   = "worker_hardship"
	RuleInvitationLink   = "invitation_link"    // an invitation link used, out of date, withdrawn or replaced
	RuleConfirmLink      = "confirm_link"       // an application's confirmation link used or out of date
	RuleSocietyOrCompany = "society_or_company" // not shaped as a society or company number
)

// RuleParams are the parameters of a broken rule. Only those the rule names
// are set.
type RuleParams struct {
	Min, Max int64
	Options  []string
	// Value is the input at fault, quoted in the wording.
	Value string
	// Other is the field compared with.
	Other string
	// Hint is English advice the API adds after the wording, its
	// separator included (": say why, for the record"); the pages give
	// their own advice.
	Hint string
}

// ruleWordings words each rule in English, without its hint.
var ruleWordings = map[string]func(p RuleParams) string{
	RuleRequired:       func(RuleParams) string { return "is required" },
	RuleNotEmpty:       func(RuleParams) string { return "must not be empty" },
	RuleMinLength:      func(p RuleParams) string { return fmt.Sprintf("must be at least %d characters long", p.Min) },
	RuleMaxLength:      func(p RuleParams) string { return fmt.Sprintf("must be at most %d characters long", p.Max) },
	RuleMinItems:       func(p RuleParams) string { return fmt.Sprintf("must have at least %d items", p.Min) },
	RuleMaxItems:       func(p RuleParams) string { return fmt.Sprintf("must have at most %d items", p.Max) },
	RuleMin:            func(p RuleParams) string { return fmt.Sprintf("must be at least %d", p.Min) },
	RuleMax:            func(p RuleParams) string { return fmt.Sprintf("must be at most %d", p.Max) },
	RuleBetween:        func(p RuleParams) string { return fmt.Sprintf("must be between %d and %d", p.Min, p.Max) },
	RuleNotNegative:    func(RuleParams) string { return "must not be negative" },
	RuleMinAmount:      func(p RuleParams) string { return "must be at least " + FormatPence(p.Min) },
	RuleMaxAmount:      func(p RuleParams) string { return "must be at most " + FormatPence(p.Max) },
	RulePositiveAmount: func(p RuleParams) string { return "must be a positive amount in pence, at most " + FormatPence(p.Max) },
	RuleMaxDues:        func(p RuleParams) string { return "must be at most the normal dues of " + FormatPence(p.Max) },
	RuleOneOf:          func(p RuleParams) string { return "must be one of: " + strings.Join(p.Options, ", ") },
	RuleEither:         func(p RuleParams) string { return "must be " + orList(p.Options) },
	RuleEmail:          func(RuleParams) string { return "must be an e-mail address" },
	RuleWebAddress:     func(RuleParams) string { return "must be a web address starting with http:// or https://" },
	RuleControl:        func(RuleParams) string { return "must not contain control characters" },
	RuleInvalid:        func(p RuleParams) string { return fmt.Sprintf("is not valid (%s)", p.Value) },
	RuleCategory:       func(p RuleParams) string { return fmt.Sprintf("%q is not a category", p.Value) },
	RuleCategoryOrSector: func(p RuleParams) string {
		return fmt.Sprintf("%q is not a category or sector", p.Value)
	},
	RuleSector:           func(p RuleParams) string { return fmt.Sprintf("%q is not a sector", p.Value) },
	RuleKnownValue:       func(p RuleParams) string { return fmt.Sprintf("%q is not a known value", p.Value) },
	RulePostcode:         func(p RuleParams) string { return fmt.Sprintf("%q is not a UK postcode.", p.Value) },
	RulePostcodeArea:     func(p RuleParams) string { return fmt.Sprintf("%q is not a UK postcode area.", p.Value) },
	RulePostcodeDistrict: func(p RuleParams) string { return fmt.Sprintf("%q is not a UK postcode district.", p.Value) },
	RulePostcodeOrRemote: func(RuleParams) string { return "is required unless the listing is UK-wide or remote" },
	RuleTag:              func(RuleParams) string { return "must be letters, digits, spaces and hyphens" },
	RuleSlug:             func(RuleParams) string { return "must be lower-case letters, digits and single hyphens" },
	RuleRegistration:     func(RuleParams) string { return "must be letters and digits, like 12345R or IP030123" },
	RuleListingStatus:    func(RuleParams) string { return "is not a listing status" },
	RuleStanding:         func(RuleParams) string { return "is not a standing" },
	RuleOffersOnly:       func(RuleParams) string { return "applies to offers only" },
	RuleNeedsOnly:        func(RuleParams) string { return "applies to needs only" },
	RuleDealsOnly:        func(RuleParams) string { return "applies to deals only" },
	RuleMembersOnly:      func(RuleParams) string { return "needs are shown to signed-in members only" },
	RuleNotMoreThan:      func(p RuleParams) string { return "must not be more than " + p.Other },
	RuleBefore:           func(p RuleParams) string { return "must be before " + p.Other },
	RuleAfter:            func(p RuleParams) string { return "must be after " + p.Other },
	RuleFuture:           func(RuleParams) string { return "must be in the future" },
	RuleWithinYears: func(p RuleParams) string {
		s := "must be within " + years(p.Max)
		if p.Other != "" {
			s += " of " + p.Other
		}
		return s
	},
	RuleAbsoluteURL:   func(RuleParams) string { return "is not an absolute URL" },
	RuleHTTPS:         func(RuleParams) string { return "must be https://" },
	RuleNoUserinfo:    func(RuleParams) string { return "must not carry a user name or password" },
	RuleNoFragment:    func(RuleParams) string { return "must not have a fragment (#…)" },
	RuleNoSpaces:      func(RuleParams) string { return "must not contain spaces or control characters" },
	RulePublicAddress: func(p RuleParams) string { return p.Value },
	RuleUnsubscribe:   func(RuleParams) string { return "is not a valid unsubscribe link" },
	RuleWrong:         func(RuleParams) string { return "is not right" },
	RuleRecorded:      func(p RuleParams) string { return "was recorded on " + p.Value + " already" },
	RuleTaken:         func(RuleParams) string { return "is taken by another member" },
	RuleHasAccount:    func(RuleParams) string { return "already has an account" },
	RuleCursor:        func(RuleParams) string { return "is not a cursor this service gave out" },
	RuleResetLink: func(RuleParams) string {
		return "is used, out of date or replaced by a newer link; ask for a new one"
	},
	RuleStaffNoRole: func(RuleParams) string { return "staff belong to no member and have no role" },
	RuleHardshipYears: func(p RuleParams) string {
		return fmt.Sprintf("hardship dues are granted for at most %d years, and this member has had them for as many", p.Max)
	},
	RuleWorkerHardship: func(RuleParams) string { return "worker members pay no dues, so need no hardship amount" },
	RuleInvitationLink: func(RuleParams) string {
		return "is used, out of date, withdrawn or replaced by a newer link; ask whoever invited you to send it again"
	},
	RuleConfirmLink: func(RuleParams) string { return "is used or out of date; apply again" },
	RuleSocietyOrCompany: func(RuleParams) string {
		return "must be a Co-operative and Community Benefit Society number (like 12345R, IP12345R or RS007123) or a company number (like 01234567 or SC123456)"
	},

	PasswordTooShort:  func(p RuleParams) string { return fmt.Sprintf("must be at least %d characters long", p.Min) },
	PasswordTooLong:   func(p RuleParams) string { return fmt.Sprintf("must be at most %d bytes long", p.Max) },
	PasswordPersonal:  func(RuleParams) string { return "must not be made of your e-mail address or name" },
	PasswordGuessable: func(RuleParams) string { return "is too easy to guess" },
}

// Rules lists every rule a FieldError of the domain can carry, so that
// whoever words them can check it words them all.
func Rules() []string {
	rules := make([]string, 0, len(ruleWordings))
	for r := range ruleWordings {
		rules = append(rules, r)
	}
	return rules
}

// RuleMessage words a broken rule in English, as the API answers it: the
// rule's wording, then the hint. An unknown rule is worded as not valid.
func RuleMessage(rule string, p RuleParams) string {
	word, ok := ruleWordings[rule]
	if !ok {
		return "is not valid" + p.Hint
	}
	return word(p) + p.Hint
}

// Broken returns the FieldError of field breaking rule, worded in English.
func Broken(field, rule string, p RuleParams) FieldError {
	return FieldError{Field: field, Message: RuleMessage(rule, p), Rule: rule, Params: p}
}

// orList words options as "a, b or c".
func orList(options []string) string {
	if len(options) < 2 {
		return strings.Join(options, "")
	}
	return strings.Join(options[:len(options)-1], ", ") + " or " + options[len(options)-1]
}

// years words a number of years as the messages always have: "a year",
// "five years".
func years(n int64) string {
	words := []string{"no years", "a year", "two years", "three years", "four years", "five years",
		"six years", "seven years", "eight years", "nine years", "ten years"}
	if n >= 0 && n < int64(len(words)) {
		return words[n]
	}
	return strconv.FormatInt(n, 10) + " years"
}

// FormatPence formats an amount in pence as pounds: £1,234.50.
func FormatPence(pence int64) string {
	sign, u := "", uint64(pence)
	if pence < 0 {
		sign, u = "-", -u
	}
	pounds := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	for i := range len(pounds) {
		if i > 0 && (len(pounds)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(pounds[i])
	}
	return fmt.Sprintf("%s£%s.%02d", sign, b.String(), u%100)
}
