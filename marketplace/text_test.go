package marketplace_test

import (
	"testing"

	"cooptrade/marketplace"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Co-operative":                "cooperative",
		"Workers' Co-op":              "workers coop",
		"Café Crème, Brûlée!":         "cafe creme brulee",
		"Two-colour riso – 2,000 A5s": "twocolour riso 2 000 a5s",
		"tenants’ union":              "tenants union",
		"- co -op- ":                  "co op",
		"\x00leaf\x7flets":            "leaf lets",
		`" OR kind = need`:            "or kind need",
		"":                            "",
	} {
		if got := marketplace.Fold(in); got != want {
			t.Errorf("Fold(%q): got %q, want %q", in, got, want)
		}
	}
}
