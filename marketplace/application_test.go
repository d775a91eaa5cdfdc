package marketplace_test

import (
	"testing"

	"cooptrade/marketplace"
)

// TestIsSocietyOrCompanyNumber checks the shapes of registered numbers an
// application to join takes.
func TestIsSocietyOrCompanyNumber(t *testing.T) {
	for n, want := range map[string]bool{
		"12345R": true, "IP12345R": true, "IP031234": true, "RS007123": true, "SP2345RS": true,
		"01234567": true, "SC123456": true, "NI012345": true, "OC301234": true,
		"": false, "ABC": false, "12345": false, "1234567": false, "SC12345": false, "XX123456": false,
		"RS0071234": false, "12345R'": false, "12345r": false, "012345678": false,
	} {
		if got := marketplace.IsSocietyOrCompanyNumber(n); got != want {
			t.Errorf("IsSocietyOrCompanyNumber(%q) = %v, want %v", n, got, want)
		}
	}
}
