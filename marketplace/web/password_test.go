package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cooptrade/marketplace"
	"cooptrade/marketplace/web/webtest"
)

// apiToken signs in through the API and returns the token.
func apiToken(t *testing.T, s *webtest.Server, email, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	res, err := http.Post(s.URL+"/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("API sign-in: %d %v", res.StatusCode, err)
	}
	return out.Token
}

// apiStatus returns the status of GET /v1/me with a token.
func apiStatus(t *testing.T, s *webtest.Server, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// signsIn reports whether the password signs the user in through the
// sign-in page.
func signsIn(t *testing.T, s *webtest.Server, email, password string) bool {
	t.Helper()
	c := s.NewClient(t)
	c.Get("/login")
	p := c.Post("/login", url.Values{"email": {email}, "password": {password}})
	return p.Status == http.StatusOK && strings.Contains(p.URL, "/dashboard")
}

func TestPassword(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})
	_, _, ua, _ := twoMembers(t, s)
	const path = "/settings/password"
	const newPassword = "correct horse battery staple"
	c := signedIn(t, s, ua)

	t.Run("Linked", func(t *testing.T) {
		if p := c.Get("/dashboard"); !strings.Contains(p.Body, `<a href="/settings/password">Change your password</a>`) {
			t.Error("the dashboard does not link to the password form")
		}
		p := mustPage(t, c.Get(path), http.StatusOK, path)
		noKeys(t, p, "password.")
		for _, want := range []string{`name="current_password" autocomplete="current-password"`, `name="new_password" autocomplete="new-password"`,
			`name="confirm_password" autocomplete="new-password"`, `autocomplete="username"`, "At least 12 characters."} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("the form lacks %s", want)
			}
		}
	})

	t.Run("ErrFields", func(t *testing.T) {
		for _, tt := range []struct {
			name                   string
			current, next, confirm string
			id, want               string
		}{
			{"CurrentMissing", "", newPassword, newPassword, "f-current-password", "Enter your current password"},
			{"CurrentWrong", "not my password at all", newPassword, newPassword, "f-current-password", "Your current password is not right"},
			{"NewMissing", webtest.Password, "", "", "f-new-password", "Enter a new password"},
			{"NewTooShort", webtest.Password, "short one", "short one", "f-new-password", "Enter a new password of at least 12 characters"},
			{"NewTooLong", webtest.Password, strings.Repeat("long ", 52), strings.Repeat("long ", 52), "f-new-password", "Enter a shorter new password"},
			{"NewGuessable", webtest.Password, "password1234", "password1234", "f-new-password", "Enter a new password that is harder to guess"},
			{"NewPersonal", webtest.Password, ua.Email, ua.Email, "f-new-password", "Enter a new password that is not made of your e-mail address or name"},
			{"NewControl", webtest.Password, "a bell\a in my password", "a bell\a in my password", "f-new-password", "Enter a new password without control characters"},
			{"NewSameAsCurrent", webtest.Password, webtest.Password, webtest.Password, "f-new-password", "Enter a new password that is different from your current one"},
			{"ConfirmDiffers", webtest.Password, newPassword, newPassword + "!", "f-confirm-password", "Enter the same new password again"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				c.Get(path)
				p := mustPage(t, c.Post(path, url.Values{"current_password": {tt.current}, "new_password": {tt.next}, "confirm_password": {tt.confirm}}),
					http.StatusUnprocessableEntity, path)
				checkFieldError(t, p, tt.id, tt.want)
				// Passwords are never written back into the page.
				for _, secret := range []string{tt.current, tt.next} {
					// (The e-mail address is on the page anyway, for password managers.)
					if secret != "" && secret != ua.Email && strings.Contains(p.Body, secret) {
						t.Errorf("the page shows a password typed")
					}
				}
			})
		}
		if !signsIn(t, s, ua.Email, webtest.Password) {
			t.Fatal("a form with errors changed the password")
		}
	})

	t.Run("ErrNoCSRF", func(t *testing.T) {
		c.Get(path)
		p := c.Post(path, url.Values{"csrf": {""}, "current_password": {webtest.Password}, "new_password": {newPassword}, "confirm_password": {newPassword}})
		if p.Status != http.StatusForbidden || !strings.Contains(p.Text(), "The form could not be sent") {
			t.Fatalf("without the CSRF token: %d", p.Status)
		}
		if !signsIn(t, s, ua.Email, webtest.Password) {
			t.Fatal("the password was changed without the CSRF token")
		}
	})

	t.Run("Change", func(t *testing.T) {
		// The same user is signed in on another browser and through the
		// API.
		other := signedIn(t, s, ua)
		token := apiToken(t, s, ua.Email, webtest.Password)
		if apiStatus(t, s, token) != http.StatusOK {
			t.Fatal("the API token does not work to start with")
		}
		c.Get(path)
		p := mustPage(t, c.Post(path, url.Values{"current_password": {webtest.Password}, "new_password": {newPassword}, "confirm_password": {newPassword}}),
			http.StatusOK, path)
		if done(p) != "password_changed" || !strings.Contains(p.Text(), "Your password is changed.") {
			t.Fatalf("after changing the password: %s\n%.1000s", p.URL, p.Text())
		}
		// This browser stays signed in; the other and the token do not.
		mustPage(t, c.Get("/dashboard"), http.StatusOK, "/dashboard")
		if p := other.Get("/dashboard"); !strings.Contains(p.URL, "/login") {
			t.Errorf("the other browser is still signed in: %s", p.URL)
		}
		if got := apiStatus(t, s, token); got != http.StatusUnauthorized {
			t.Errorf("the API token after the change: %d", got)
		}
		if signsIn(t, s, ua.Email, webtest.Password) || !signsIn(t, s, ua.Email, newPassword) {
			t.Error("the old password still signs in, or the new one does not")
		}
	})

	t.Run("AnyUser", func(t *testing.T) {
		// Editors and staff change their own passwords too.
		editor, err := s.Service.AddUser(s.Staff(), ua.MemberID, marketplace.NewUser{Email: "editor@hebden.example", Password: webtest.Password, Role: marketplace.RoleEditor})
		if err != nil {
			t.Fatal(err)
		}
		e := signedIn(t, s, editor)
		e.Get(path)
		mustPage(t, e.Post(path, url.Values{"current_password": {webtest.Password}, "new_password": {newPassword}, "confirm_password": {newPassword}}), http.StatusOK, path)
		if !signsIn(t, s, editor.Email, newPassword) {
			t.Error("the editor's new password does not sign in")
		}
		staff := s.NewClient(t)
		staff.SignIn("staff@federation.example", webtest.StaffPassword)
		p := mustPage(t, staff.Get(path), http.StatusOK, path)
		if !strings.Contains(p.Body, `value="staff@federation.example" autocomplete="username"`) {
			t.Error("the staff's form is not for the staff user")
		}
		// The public is asked to sign in first.
		p = s.NewClient(t).Get(path)
		if u, _ := url.Parse(p.URL); u.Path != "/login" || u.Query().Get("next") != path {
			t.Errorf("the public ends at %s", p.URL)
		}
	})

	t.Run("RateLimited", func(t *testing.T) {
		// Guessing the current password is limited as signing in is.
		s := webtest.NewServer(t, webtest.Options{LoginsPerMinute: 3})
		_, u := s.AddMember(t, &marketplace.Member{Name: "Guessed Co-op", Email: "hello@guessed.example", Postcode: "M1"})
		c := signedIn(t, s, u)
		c.Get(path)
		var last webtest.Page
		for range 4 {
			last = c.Post(path, url.Values{"current_password": {"a guess at the password"}, "new_password": {newPassword}, "confirm_password": {newPassword}})
		}
		if last.Status != http.StatusTooManyRequests || !strings.Contains(last.Text(), "Too many attempts") {
			t.Fatalf("fourth attempt in a minute: status %d", last.Status)
		}
	})

	t.Run("Welsh", func(t *testing.T) {
		c.Get(path + "?lang=cy")
		p := mustPage(t, c.Post(path, url.Values{"current_password": {"anghywir iawn iawn"}, "new_password": {"byr"}, "confirm_password": {"byr"}}),
			http.StatusUnprocessableEntity, path)
		checkFieldError(t, p, "f-new-password", "Rhowch gyfrinair newydd o 12 nod o leiaf")
		if !strings.Contains(p.Text(), "Newid eich cyfrinair") {
			t.Errorf("the Welsh form:\n%.1500s", p.Text())
		}
		c.Get(path + "?lang=en")
	})
}
