package message_test

import (
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/message"
)

// TestWriteMessage checks each message's subject and that its text and
// HTML carry the facts: the text as typed, the HTML escaped.
func TestWriteMessage(t *testing.T) {
	expires := time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC)
	offer := &marketplace.Listing{ID: "o1", Kind: marketplace.KindOffer, Title: `Leaflets & "flyers" <b>`, District: "LS6", Area: "LS", ExpiresAt: &expires}
	need := &marketplace.Listing{ID: "n1", Kind: marketplace.KindNeed, Title: "Kitchen's leaflets", Description: "Recycled paper."}
	printers := &marketplace.Member{Name: "Leeds Print Workers", Email: "hello@print.example"}
	kitchen := &marketplace.Member{Name: "Chapeltown Kitchen", Email: "hello@kitchen.example"}
	alert := &marketplace.Alert{Name: "Leaflets in Leeds"}
	hit := &marketplace.AlertHit{Kind: marketplace.KindOffer, Title: offer.Title, MemberName: printers.Name, Area: "LS",
		PriceMinPence: 40000, PriceMaxPence: 60000, PriceUnit: "job"}
	for _, tc := range []struct {
		name     string
		msg      marketplace.Message
		subject  string
		inText   []string
		htmlSafe bool // the HTML holds the offer's title, escaped
	}{
		{"MatchForNeed", marketplace.MatchMessage{Member: kitchen.Name, ForNeed: true, Own: need, Theirs: offer, TheirMember: printers,
			Score: 72, Reasons: []marketplace.MatchReason{{Code: "category", Points: 30, Detail: "Both in Print runs"}}, Link: "https://m.example/listings/o1"},
			"A supplier for your need: Kitchen's leaflets", []string{"Hello Chapeltown Kitchen", "72 out of 100", "Both in Print runs", offer.Title, "(Leeds Print Workers, LS6)"}, true},
		{"MatchForOffer", marketplace.MatchMessage{Member: printers.Name, Own: offer, Theirs: need, TheirMember: kitchen, Link: "https://m.example/listings/n1"},
			"A member needs what you offer: Kitchen's leaflets", []string{"needs what you offer"}, false},
		{"Intro", marketplace.IntroMessage{Member: kitchen.Name, ForNeed: true, Other: printers, Own: need, Theirs: offer, Note: "They're good.",
			Link: "https://m.example/threads/t1", ListingLink: "https://m.example/listings/o1"},
			"Introducing Leeds Print Workers for your need: Kitchen's leaflets", []string{"The conversation: https://m.example/threads/t1", "They're good."}, true},
		{"Removal", marketplace.RemovalMessage{Member: printers.Name, Listing: offer, Note: "No price claims.", Link: "https://m.example/dashboard"},
			`Your listing was removed: Leaflets & "flyers" <b>`, []string{"Why: No price claims."}, true},
		{"Expiry", marketplace.ExpiryMessage{Member: printers.Name, Listing: offer, Link: "https://m.example/listings/o1"},
			`Is this still wanted? Leaflets & "flyers" <b>`, []string{"Monday 14 December 2026"}, true},
		{"InstantAlert", marketplace.AlertMessage{Alert: alert, Items: []marketplace.AlertItem{{Hit: hit, Link: "https://m.example/listings/o1"}}, Count: 1, Link: "https://m.example/listings/o1"},
			`New offer for your saved search: Leaflets & "flyers" <b>`, []string{"A new listing matches", "£400–£600 per job"}, true},
		{"WeeklyDigest", marketplace.AlertMessage{Alert: alert, Items: []marketplace.AlertItem{{Hit: hit, Link: "https://m.example/listings/o1"}}, Count: 12, More: 11,
			Digest: marketplace.AlertWeekly, Start: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Link: "https://m.example/search?q=leaflets"},
			"12 new listings for your saved search: Leaflets in Leeds", []string{"in the week of 30 November", "…and 11 more"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := message.Writer{}.WriteMessage(tc.msg, "en")
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
			if tc.htmlSafe {
				if strings.Contains(w.HTML, "<b>") || !strings.Contains(w.HTML, "Leaflets &amp; &#34;flyers&#34; &lt;b&gt;") {
					t.Errorf("the HTML does not escape the title:\n%s", w.HTML)
				}
			}
		})
	}
	t.Run("IntroGivesNoAddress", func(t *testing.T) {
		msg := marketplace.IntroMessage{Member: kitchen.Name, ForNeed: true, Other: printers, Own: need, Theirs: offer,
			Link: "https://m.example/threads/t1", ListingLink: "https://m.example/listings/o1"}
		for _, lang := range []string{"en", "cy"} {
			w, err := message.Writer{}.WriteMessage(msg, lang)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(w.Text+w.HTML, printers.Email) || strings.Contains(w.HTML, "mailto:") {
				t.Errorf("%s: the introduction gives the other side's address:\n%s\n%s", lang, w.Text, w.HTML)
			}
			if !strings.Contains(w.HTML, `href="https://m.example/threads/t1"`) || !strings.Contains(w.Text, "https://m.example/threads/t1") {
				t.Errorf("%s: the introduction does not link to the thread:\n%s\n%s", lang, w.Text, w.HTML)
			}
		}
	})
	t.Run("Unsubscribe", func(t *testing.T) {
		text, html := message.Writer{}.WriteUnsubscribe("https://m.example/unsubscribe?token=a&b", "en")
		if !strings.Contains(text, "https://m.example/unsubscribe?token=a&b") || !strings.Contains(html, `href="https://m.example/unsubscribe?token=a&amp;b"`) {
			t.Errorf("unsubscribe: %q, %q", text, html)
		}
	})
}
