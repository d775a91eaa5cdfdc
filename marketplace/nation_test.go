package marketplace_test

import (
	"testing"

	"cooptrade/marketplace"
)

func TestNationOf(t *testing.T) {
	for area, want := range map[string]string{"CF": "wales", "G": "scotland", "EH": "scotland", "BT": "northern-ireland", "LS": "england", "": ""} {
		if got := marketplace.NationOf(area); got != want {
			t.Errorf("NationOf(%q) = %q; want %q", area, got, want)
		}
	}
}
