package message_test

import (
	"html"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/message"
)

// coop is a name that HTML would escape: mails and inbox items must show
// it as typed in their subjects and plain text.
const coop = `Smith & O'Neil`

// everyMessage returns one message of every kind (and of every variant
// that words it differently), the links each must carry, and the things
// people typed in it.
func everyMessage() []struct {
	name  string
	msg   marketplace.Message
	links []string
} {
	expires := time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC)
	offer := &marketplace.Listing{ID: "o1", Kind: marketplace.KindOffer, Title: `Taflenni <b>`, Area: "CF10", ExpiresAt: &expires}
	need := &marketplace.Listing{ID: "n1", Kind: marketplace.KindNeed, Title: "Posteri", Description: "Papur wedi'i ailgylchu."}
	them := &marketplace.Member{Name: coop, Email: "post@smith.example", Website: "https://smith.example"}
	alert := &marketplace.Alert{Name: "Argraffu"}
	hit := &marketplace.AlertHit{Kind: marketplace.KindOffer, Title: offer.Title, MemberName: coop, Area: "CF10", Remote: true,
		PriceMinPence: 40000, PriceMaxPence: 60000, PriceUnit: "job"}
	hit2 := &marketplace.AlertHit{Kind: marketplace.KindNeed, Title: need.Title, MemberName: "Cegin", PriceMaxPence: 2000, PriceUnit: "hour"}
	items := []marketplace.AlertItem{{Hit: hit, Link: "https://m.example/listings/o1"}, {Hit: hit2, Link: "https://m.example/listings/n1"}}
	reasons := []marketplace.MatchReason{{Code: "category", Points: 30, Max: 30, Detail: "Both in Print runs"}, {Code: "distance", Points: 0, Max: 20}}
	renews := time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)
	dues := marketplace.DuesMessage{Member: coop, RenewsAt: renews, Year: 2027, GrossPence: 18000, NetPence: 15000, VATPence: 3000,
		Link: "https://m.example/dues"}
	setDues, provisional, undeclared := dues, dues, dues
	setDues.DuesState, provisional.DuesState, undeclared.DuesState = marketplace.DuesSet, marketplace.DuesProvisional, marketplace.DuesUndeclared
	setDues.Automatic = true
	quote := &marketplace.Quote{NeedTitle: need.Title, NeedMemberName: coop, MemberName: "Cegin", PricePence: 45000, PriceUnit: "job",
		Covers: "Argraffu a dosbarthu", ValidUntil: "2026-12-31"}
	joint := &marketplace.Quote{NeedTitle: need.Title, NeedMemberName: "Cegin", MemberName: coop, PricePence: 90000, PriceUnit: "hour",
		Parts: []*marketplace.QuotePart{{MemberName: coop, SharePence: 60000}, {MemberName: "Cegin", SharePence: 30000}}}
	return []struct {
		name  string
		msg   marketplace.Message
		links []string
	}{
		{"MatchForNeed", marketplace.MatchMessage{Member: coop, ForNeed: true, Own: need, Theirs: offer, TheirMember: them, Score: 72,
			Reasons: reasons, Link: "https://m.example/listings/o1"}, []string{"https://m.example/listings/o1"}},
		{"MatchForOffer", marketplace.MatchMessage{Member: coop, Own: offer, Theirs: need, TheirMember: them, Score: 50,
			Reasons: reasons, Link: "https://m.example/listings/n1"}, []string{"https://m.example/listings/n1"}},
		{"IntroForNeed", marketplace.IntroMessage{Member: coop, ForNeed: true, Other: them, Own: need, Theirs: offer, Note: coop,
			Link: "https://m.example/threads/t1", ListingLink: "https://m.example/listings/o1"},
			[]string{"https://m.example/threads/t1", "https://m.example/listings/o1", "https://smith.example"}},
		{"IntroForOffer", marketplace.IntroMessage{Member: coop, Other: them, Own: offer, Theirs: need,
			Link: "https://m.example/threads/t1", ListingLink: "https://m.example/listings/n1"},
			[]string{"https://m.example/threads/t1", "https://m.example/listings/n1"}},
		{"Removal", marketplace.RemovalMessage{Member: coop, Listing: offer, Note: coop, Link: "https://m.example/dashboard"},
			[]string{"https://m.example/dashboard"}},
		{"Expiry", marketplace.ExpiryMessage{Member: coop, Listing: offer, Link: "https://m.example/listings/o1"},
			[]string{"https://m.example/listings/o1"}},
		{"Reset", marketplace.ResetMessage{Name: coop, Link: "https://m.example/password/reset?token=cmr_x", Expires: expires},
			[]string{"https://m.example/password/reset?token=cmr_x"}},
		{"ResetNoName", marketplace.ResetMessage{Link: "https://m.example/password/reset?token=cmr_x", Expires: expires},
			[]string{"https://m.example/password/reset?token=cmr_x"}},
		{"Enquirer", marketplace.EnquirerMessage{Link: "https://m.example/enquirer/data?token=cme_x", Expires: expires},
			[]string{"https://m.example/enquirer/data?token=cme_x"}},
		{"InstantAlert", marketplace.AlertMessage{Alert: alert, Items: items[:1], Count: 1, Link: "https://m.example/listings/o1"},
			[]string{"https://m.example/listings/o1"}},
		{"DailyDigest", marketplace.AlertMessage{Alert: alert, Items: items, Count: 2, Digest: marketplace.AlertDaily,
			Start: renews, Link: "https://m.example/search?q=argraffu"}, []string{"https://m.example/listings/o1", "https://m.example/listings/n1"}},
		{"WeeklyDigest", marketplace.AlertMessage{Alert: alert, Items: items, Count: 12, More: 10, Digest: marketplace.AlertWeekly,
			Start: renews, Link: "https://m.example/search?q=argraffu"},
			[]string{"https://m.example/listings/o1", "https://m.example/listings/n1", "https://m.example/search?q=argraffu"}},
		{"DuesSet", setDues, []string{"https://m.example/dues"}},
		{"DuesProvisional", provisional, []string{"https://m.example/dues"}},
		{"DuesUndeclared", undeclared, []string{"https://m.example/dues"}},
		{"EnquiryConfirm", marketplace.EnquiryConfirmMessage{Name: coop, Title: offer.Title, Supplier: coop, Link: "https://m.example/listings/o1"},
			[]string{"https://m.example/listings/o1"}},
		{"EnquiryNew", marketplace.ThreadNotice{New: true, Title: offer.Title, Author: coop, Body: "Faint am <b>80</b>?", Link: "https://m.example/listings/o1"},
			[]string{"https://m.example/listings/o1"}},
		{"ThreadAnswer", marketplace.ThreadNotice{Title: offer.Title, Author: coop, Body: "£3 yr un", Link: "https://m.example/listings/o1"},
			[]string{"https://m.example/listings/o1"}},
		{"QuoteNew", marketplace.QuoteNotice{Quote: quote, Link: "https://m.example/listings/n1"}, []string{"https://m.example/listings/n1"}},
		{"QuoteAccepted", marketplace.QuoteNotice{Quote: quote, Accepted: true, Link: "https://m.example/listings/n1"}, []string{"https://m.example/listings/n1"}},
		{"QuoteInvited", marketplace.QuoteNotice{Quote: joint, Invited: true, Link: "https://m.example/listings/n1"}, []string{"https://m.example/listings/n1"}},
		{"DealReported", marketplace.DealNotice{Deal: &marketplace.Deal{What: "80 o wahoddiadau", ValuePence: 24000, Date: "2026-11-20"},
			Reporter: coop, Link: "https://m.example/dashboard"}, []string{"https://m.example/dashboard"}},
	}
}

// english are words that give away English left in a Welsh mail.
var english = []string{"Hello", "Dear", "the ", "The ", "your", "Your", "you ", "listing", "search", "offer", "need ",
	"member", "Monday", "January", "December", "week", " per ", "more", "dues", "pay", "Why", "password", "stop",
	"e-mail", "VAT", " and ", " or ", "UK-wide", "remote", "Both in"}

// TestWriteEveryLanguage writes every kind of message in English and in
// Welsh: no template fails, each has its language's lang attribute and
// every link, what people typed arrives as typed in the subject and text
// (and escaped in the HTML), and the Welsh has no English left.
func TestWriteEveryLanguage(t *testing.T) {
	for _, tc := range everyMessage() {
		t.Run(tc.name, func(t *testing.T) {
			en, err := message.Writer{}.WriteMessage(tc.msg, marketplace.LangEnglish)
			if err != nil {
				t.Fatalf("en: %v", err)
			}
			cy, err := message.Writer{}.WriteMessage(tc.msg, marketplace.LangWelsh)
			if err != nil {
				t.Fatalf("cy: %v", err)
			}
			for _, w := range []marketplace.Written{en, cy} {
				if w.Subject == "" || strings.ContainsAny(w.Subject, "\r\n") {
					t.Errorf("%s: subject %q", w.Lang, w.Subject)
				}
				if !strings.HasPrefix(w.HTML, `<div lang="`+w.Lang+`">`) {
					t.Errorf("%s: the HTML does not say its language:\n%s", w.Lang, w.HTML)
				}
				for _, link := range tc.links {
					if !strings.Contains(w.Text, link) {
						t.Errorf("%s: the text lacks the link %s:\n%s", w.Lang, link, w.Text)
					}
					if !strings.Contains(w.HTML, `href="`+html.EscapeString(link)+`"`) && !strings.Contains(w.HTML, `href="mailto:`+link+`"`) {
						t.Errorf("%s: the HTML lacks the link %s:\n%s", w.Lang, link, w.HTML)
					}
				}
				for _, part := range []string{w.Subject, w.Text} {
					if strings.Contains(part, "&amp;") || strings.Contains(part, "&#39;") || strings.Contains(part, "&lt;") {
						t.Errorf("%s: plain text is HTML-escaped: %q", w.Lang, part)
					}
				}
				if strings.Contains(w.Text, "Smith") && !strings.Contains(w.Text, coop) {
					t.Errorf("%s: the text does not show %q as typed:\n%s", w.Lang, coop, w.Text)
				}
				if strings.Contains(w.HTML, "<b>") || strings.Contains(w.HTML, "O'Neil") {
					t.Errorf("%s: the HTML does not escape what people typed:\n%s", w.Lang, w.HTML)
				}
			}
			if en.Lang != marketplace.LangEnglish || cy.Lang != marketplace.LangWelsh {
				t.Errorf("languages %q and %q", en.Lang, cy.Lang)
			}
			if en.Subject == cy.Subject {
				t.Errorf("the Welsh subject is the English one: %q", cy.Subject)
			}
			if first(en.Text) == first(cy.Text) {
				t.Errorf("the Welsh greeting is the English one: %q", first(cy.Text))
			}
			for _, w := range english {
				for _, part := range []string{cy.Subject, cy.Text, cy.HTML} {
					if strings.Contains(withoutTyped(part), w) {
						t.Errorf("the Welsh has English %q in:\n%s", w, part)
					}
				}
			}
		})
	}
}

// TestWriteUnsubscribeEveryLanguage checks the end of a mail that stops
// it, in both languages.
func TestWriteUnsubscribeEveryLanguage(t *testing.T) {
	link := "https://m.example/unsubscribe?token=a&lang=cy"
	enText, enHTML := message.Writer{}.WriteUnsubscribe(link, marketplace.LangEnglish)
	cyText, cyHTML := message.Writer{}.WriteUnsubscribe(link, marketplace.LangWelsh)
	for _, s := range []string{enText, cyText} {
		if !strings.Contains(s, link) {
			t.Errorf("text %q lacks the link", s)
		}
	}
	for _, s := range []string{enHTML, cyHTML} {
		if !strings.Contains(s, `href="https://m.example/unsubscribe?token=a&amp;lang=cy"`) {
			t.Errorf("HTML %q lacks the link", s)
		}
	}
	if enText == cyText || !strings.Contains(cyHTML, `lang="cy"`) || strings.Contains(withoutTyped(cyText), "stop") {
		t.Errorf("unsubscribe in Welsh: %q, %q", cyText, cyHTML)
	}
}

// TestWriteUnknownLanguage writes a language the marketplace does not
// have in English.
func TestWriteUnknownLanguage(t *testing.T) {
	msg := marketplace.ExpiryMessage{Member: coop, Listing: &marketplace.Listing{Title: "Posteri", Kind: marketplace.KindNeed}, Link: "https://m.example/x"}
	w, err := message.Writer{}.WriteMessage(msg, "fr")
	if err != nil || w.Lang != marketplace.LangEnglish || !strings.HasPrefix(w.Text, "Hello") {
		t.Fatalf("%v %+v", err, w)
	}
}

func first(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// withoutTyped removes what people typed, and links, from a message, so
// that only the message's own words are left.
func withoutTyped(s string) string {
	for _, typed := range []string{coop, html.EscapeString(coop), "https://m.example/listings/o1", "https://m.example/listings/n1",
		"https://m.example/search?q=argraffu", "https://m.example/dashboard", "https://m.example/dues", "post@smith.example",
		"https://smith.example", "https://m.example/password/reset?token=cmr_x", "https://m.example/unsubscribe?token=a&amp;lang=cy",
		"https://m.example/unsubscribe?token=a&lang=cy", "POST /v1/dues/application"} {
		s = strings.ReplaceAll(s, typed, "")
	}
	return s
}
