package message_test

import (
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/message"
)

// TestWriteJoin checks that the mails of getting in are written in the
// language they carry, with lang set on the HTML, the text unescaped and
// the HTML escaped.
func TestWriteJoin(t *testing.T) {
	expires := time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC)
	name := `Smith & O'Neil`
	for _, tc := range []struct {
		name    string
		msg     marketplace.Message
		subject string
		inText  []string
		lang    string
		in      string // the language asked for
	}{
		{"InvitationEn", marketplace.InvitationMessage{Member: name, Role: marketplace.RoleOwner, Link: "https://m.example/invitation?token=cmi_x", Expires: expires},
			"An invitation from Smith & O'Neil to the co-operative marketplace", []string{"one of its owners", "09:00 on 10 December 2026", "cmi_x"}, "en", "en"},
		{"InvitationCy", marketplace.InvitationMessage{Member: name, Role: marketplace.RoleEditor, Link: "https://m.example/invitation?token=cmi_x", Expires: expires},
			"Gwahoddiad gan Smith & O'Neil i'r farchnad gydweithredol", []string{"un o'i olygyddion", "09:00 ar 10 Rhagfyr 2026"}, "cy", "cy"},
		{"ConfirmEn", marketplace.ApplicationConfirmMessage{Name: "Ada", Member: name, Link: "https://m.example/join/confirm?token=cma_x", Expires: expires},
			"Confirm your application to join the federation", []string{"Hello Ada", "for Smith & O'Neil to join", "cma_x"}, "en", "en"},
		{"ConfirmCy", marketplace.ApplicationConfirmMessage{Name: "Ada", Member: name, Link: "https://m.example/join/confirm?token=cma_x", Expires: expires},
			"Cadarnhewch eich cais i ymuno â'r ffederasiwn", []string{"Helo Ada", "cma_x"}, "cy", "cy"},
		{"AdmittedEn", marketplace.ApplicationDecisionMessage{Name: "Ada", Member: name, Admitted: true, Note: "Welcome aboard & thanks."},
			"Welcome to the federation: Smith & O'Neil is admitted", []string{"Welcome aboard & thanks.", "first owner"}, "en", "en"},
		{"RefusedCy", marketplace.ApplicationDecisionMessage{Name: "Ada", Member: name, Note: "Nid cwmni cydweithredol."},
			"Eich cais i ymuno â'r ffederasiwn", []string{"Nid cwmni cydweithredol.", "ar hyn o bryd"}, "cy", "cy"},
		{"UnknownLanguageIsEnglish", marketplace.ApplicationDecisionMessage{Name: "Ada", Member: name, Note: "No."},
			"Your application to join the federation", []string{"cannot admit it"}, "en", "fr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := message.Writer{}.WriteMessage(tc.msg, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if w.Subject != tc.subject {
				t.Errorf("subject %q; want %q", w.Subject, tc.subject)
			}
			for _, s := range tc.inText {
				if !strings.Contains(w.Text, s) {
					t.Errorf("the text lacks %q:\n%s", s, w.Text)
				}
			}
			if strings.Contains(w.Text, "&amp;") || strings.Contains(w.Text, "&#39;") {
				t.Errorf("the text is escaped:\n%s", w.Text)
			}
			if !strings.Contains(w.HTML, `lang="`+tc.lang+`"`) {
				t.Errorf("the HTML does not say lang %q:\n%s", tc.lang, w.HTML)
			}
			if !strings.Contains(w.HTML, "Smith &amp; O&#39;Neil") {
				t.Errorf("the HTML does not escape the name:\n%s", w.HTML)
			}
		})
	}
}
