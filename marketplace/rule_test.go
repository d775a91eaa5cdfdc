package marketplace_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
)

// TestRuleMessage checks that every rule is worded in English, and that
// the wording of a broken rule is what the API has always answered.
func TestRuleMessage(t *testing.T) {
	for _, rule := range marketplace.Rules() {
		if msg := marketplace.RuleMessage(rule, marketplace.RuleParams{Value: "x"}); msg == "" || strings.HasPrefix(msg, "is not valid") && rule != marketplace.RuleInvalid {
			t.Errorf("rule %q is worded %q", rule, msg)
		}
	}
	l := marketplace.Listing{Kind: marketplace.KindOffer, Title: "Leaflet printing", Category: "nope", PriceMaxPence: marketplace.MaxPricePence + 1}
	now := time.Now()
	l.ExpiresAt = new(time.Time)
	*l.ExpiresAt = now.AddDate(2, 0, 0)
	got := map[string]string{}
	for _, fe := range marketplace.ErrorFields(l.Validate(now)) {
		got[fe.Field] = fe.Message
	}
	for field, want := range map[string]string{
		"category":   `"nope" is not a category (see GET /v1/categories)`,
		"postcode":   "is required unless the listing is UK-wide or remote",
		"radius_km":  "must be between 1 and 1000 for an offer that is not UK-wide or remote",
		"expires_at": "must be within a year",
	} {
		if diff := cmp.Diff(want, got[field]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", field, diff)
		}
	}
}
