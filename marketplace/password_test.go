package marketplace_test

import (
	"strings"
	"testing"

	"cooptrade/marketplace"
)

func TestCheckPassword(t *testing.T) {
	const email, name = "ada.lovelace@pennineprint.coop", "Ada Lovelace"
	for _, tc := range []struct {
		password string
		rule     string // "" when accepted
	}{
		{"short", marketplace.PasswordTooShort},
		{"elevenchars", marketplace.PasswordTooShort},
		{strings.Repeat("x", 257), marketplace.PasswordTooLong},
		{strings.Repeat(" ", 12), marketplace.PasswordGuessable},
		{strings.Repeat("\x00", 12), marketplace.PasswordControl},
		{"good words\x1b[0m and more", marketplace.PasswordControl},
		{"tab\tinside the password", marketplace.PasswordControl},
		{"aaaaaaaaaaaa", marketplace.PasswordGuessable},
		{"abababababab", marketplace.PasswordGuessable},
		{"password1234", marketplace.PasswordGuessable},
		{"Password1234", marketplace.PasswordGuessable},
		{"qwertyuiop[]", marketplace.PasswordGuessable},
		{"123456789012", marketplace.PasswordGuessable},
		{"iloveyou1234", marketplace.PasswordGuessable},
		{"abcdefghijkl", marketplace.PasswordGuessable},
		{"marketplace1", marketplace.PasswordGuessable},
		{"ada.lovelace@pennineprint.coop", marketplace.PasswordPersonal},
		{"Ada.Lovelace@PenninePrint.coop!", marketplace.PasswordPersonal},
		{"adalovelace2026", marketplace.PasswordPersonal},
		{"pennineprint12", marketplace.PasswordPersonal},
		{"lovelace1815!", marketplace.PasswordPersonal},
		{"lovelace in the hills", ""},
		// Accepted: length and unpredictability, no composition rules.
		{"correct horse battery staple", ""},
		{"my dog likes cheese", ""},
		{"Cymru am byth, o'r Barri i Fôn", ""},
		{"tŷ bach twt ar y bryn", ""},
		{strings.Repeat("rhubarb and custard ", 12), ""},
		{"kettle orbit pewter", ""},
	} {
		t.Run(tc.password, func(t *testing.T) {
			err := marketplace.CheckPassword("password", tc.password, email, name)
			if tc.rule == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			fields := marketplace.ErrorFields(err)
			if marketplace.ErrorCode(err) != marketplace.EINVALID || len(fields) != 1 || fields[0].Field != "password" || fields[0].Rule != tc.rule {
				t.Fatalf("got %v %+v; want the rule %s broken", err, fields, tc.rule)
			}
		})
	}
}
