package httpapi_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/workers/mail/mailtest"
)

// TestMeLanguage sets the language of a user's e-mails through the API:
// bad values are refused naming the field and change nothing, and the
// user's next mail (a password reset, through the real SMTP path) is in
// Welsh, says so, and leads to the Welsh pages.
func TestMeLanguage(t *testing.T) {
	smtp := mailtest.NewServer(t)
	ts := newTestServer(t, options{SMTP: smtp})
	staff := ts.staffToken(t)
	m, owner := ts.memberWithOwner(t, staff, "Smith & O'Neil", marketplace.StandingActive)
	email := "owner@" + m.Slug + ".example"

	var me marketplace.User
	ts.do(t, "GET", "/v1/me", owner, nil).must(t, 200).decode(t, &me)
	if me.Language != "" {
		t.Fatalf("a new user's language is %q; want none (English)", me.Language)
	}
	for _, body := range []any{
		map[string]any{"language": "fr"},
		map[string]any{"language": map[string]any{"$gt": ""}},
		map[string]any{"language": ""},
		map[string]any{},
		map[string]any{"language": "cy", "staff": true},
	} {
		ts.do(t, "PATCH", "/v1/me", owner, body).must(t, 400)
	}
	ts.do(t, "PATCH", "/v1/me", "", map[string]any{"language": "cy"}).must(t, 401)
	ts.do(t, "GET", "/v1/me", owner, nil).must(t, 200).decode(t, &me)
	if me.Language != "" || me.Staff {
		t.Fatalf("refused changes changed the user: %+v", me)
	}

	ts.do(t, "PATCH", "/v1/me", owner, map[string]any{"language": "cy"}).must(t, 200).decode(t, &me)
	if me.Language != "cy" {
		t.Fatalf("after choosing Welsh: language %q", me.Language)
	}
	ts.do(t, "GET", "/v1/me", owner, nil).must(t, 200).decode(t, &me)
	if me.Language != "cy" {
		t.Fatalf("GET /v1/me after choosing Welsh: language %q", me.Language)
	}
	// Choosing it again writes nothing.
	version := me.Version
	ts.do(t, "PATCH", "/v1/me", owner, map[string]any{"language": "cy"}).must(t, 200).decode(t, &me)
	if me.Version != version {
		t.Fatalf("choosing the same language again: version %d; want %d", me.Version, version)
	}

	ts.do(t, "POST", "/v1/auth/password-reset", "", map[string]any{"email": email}).must(t, 202)
	msg := smtp.Wait(t, 1, 10*time.Second)[0]
	if msg.Subject != "Dewis cyfrinair newydd" || !strings.HasPrefix(msg.Text, "Helo") || msg.Header.Get("Content-Language") != "cy" {
		t.Fatalf("the reset mail of a Welsh user: subject %q, Content-Language %q:\n%s", msg.Subject, msg.Header.Get("Content-Language"), msg.Text)
	}
	if !strings.Contains(msg.HTML, `<html lang="cy">`) || !strings.Contains(msg.Text, "&lang=cy") {
		t.Fatalf("the reset mail of a Welsh user does not say its language:\n%s\n%s", msg.Text, msg.HTML)
	}

	// The unsubscribe link of a Welsh mail opens the page in Welsh.
	unsub := "/unsubscribe?token=" + url.QueryEscape(marketplace.UnsubscribeToken(ts.Service.Secret, me.ID, "type:"+marketplace.NotifyAlert))
	for lang, want := range map[string]string{"cy": "Dad-danysgrifio", "en": "Unsubscribe"} {
		page := ts.do(t, "GET", unsub+"&lang="+lang, "", nil, "Accept", "text/html").must(t, 200)
		if body := string(page.Body); !strings.Contains(body, `<html lang="`+lang+`"`) || !strings.Contains(body, want) {
			t.Errorf("the unsubscribe page with lang=%s:\n%.600s", lang, body)
		}
	}

	ts.do(t, "PATCH", "/v1/me", owner, map[string]any{"language": "en"}).must(t, 200).decode(t, &me)
	ts.do(t, "POST", "/v1/auth/password-reset", "", map[string]any{"email": email}).must(t, 202)
	msg = smtp.Wait(t, 2, 10*time.Second)[1]
	if msg.Subject != "Choose a new password" || msg.Header.Get("Content-Language") != "en" {
		t.Fatalf("the reset mail after choosing English: subject %q", msg.Subject)
	}
}
