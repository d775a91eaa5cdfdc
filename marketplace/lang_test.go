package marketplace_test

import (
	"testing"

	"cooptrade/marketplace"
)

func TestUserLang(t *testing.T) {
	for _, tc := range []struct {
		u    *marketplace.User
		want string
	}{
		{nil, "en"},
		{&marketplace.User{}, "en"},
		{&marketplace.User{Language: "cy"}, "cy"},
		{&marketplace.User{Language: "en"}, "en"},
		{&marketplace.User{Language: "fr"}, "en"},
	} {
		if got := tc.u.Lang(); got != tc.want {
			t.Errorf("%+v: %q; want %q", tc.u, got, tc.want)
		}
	}
}

// TestMemberLang: what is addressed to a member as a whole is in the
// language most of its users read, English on a tie or with no users.
func TestMemberLang(t *testing.T) {
	cy, en, none := &marketplace.User{Language: "cy"}, &marketplace.User{Language: "en"}, &marketplace.User{}
	for _, tc := range []struct {
		users []*marketplace.User
		want  string
	}{
		{nil, "en"},
		{[]*marketplace.User{cy}, "cy"},
		{[]*marketplace.User{cy, en}, "en"},
		{[]*marketplace.User{cy, cy, none}, "cy"},
		{[]*marketplace.User{cy, none, en}, "en"},
	} {
		if got := marketplace.MemberLang(tc.users); got != tc.want {
			t.Errorf("%d users: %q; want %q", len(tc.users), got, tc.want)
		}
	}
}
