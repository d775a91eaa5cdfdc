package workers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/workers"
	"cooptrade/workers/mail/mailtest"
)

// TestMatchMailsInEachUsersLanguage sends the mails of a new match through
// the real workers and SMTP: a notification for a member is written, for
// each of its users, in that user's language, and what people typed (a
// co-op called Smith & O'Neil) arrives as typed in the plain text.
func TestMatchMailsInEachUsersLanguage(t *testing.T) {
	ne := setupNotify(t)
	ctx := context.Background()
	kitchenM, kitchen := ne.member(t, "Smith & O'Neil", "LS7 3AA")
	printM, printers := ne.member(t, "Leeds Print Workers", "LS9 8AB")
	for _, u := range []marketplace.NewUser{
		{Email: "sam@kitchen.example", Password: "a long password 1", Role: marketplace.RoleOwner, Language: marketplace.LangWelsh},
		{Email: "alex@kitchen.example", Password: "a long password 1", Role: marketplace.RoleOwner},
	} {
		if _, err := ne.service.AddUser(ne.staff, kitchenM.ID, u); err != nil {
			t.Fatal(err)
		}
	}
	ne.owner(t, printM.ID, "jo@print.example")
	need := ne.publish(t, kitchen, leafletNeed())
	offer := ne.publish(t, printers, leafletOffer("LS9 8AB", 50))

	w := ne.workers(workers.Config{Concurrency: 2})
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()
	if err := ne.service.MatchListing(ctx, need.ID, need.Version); err != nil {
		t.Fatal(err)
	}
	if err := ne.service.NotifyMatch(ctx, marketplace.MatchID(offer.ID, need.ID)); err != nil {
		t.Fatal(err)
	}
	msgs := ne.smtp.Wait(t, 3, 20*time.Second)
	byTo := map[string]mailtest.Message{}
	for _, m := range msgs {
		byTo[strings.Join(m.To, ",")] = m
	}
	for to, want := range map[string]struct{ lang, subject, greeting string }{
		"sam@kitchen.example":  {"cy", "Cyflenwr ar gyfer eich angen:", "Helo Smith & O'Neil,"},
		"alex@kitchen.example": {"en", "A supplier for your need:", "Hello Smith & O'Neil,"},
		"jo@print.example":     {"en", "A member needs what you offer:", "Hello Leeds Print Workers,"},
	} {
		m, ok := byTo[to]
		if !ok {
			t.Errorf("no mail to %s; mails to %v", to, recipients(msgs))
			continue
		}
		if !strings.HasPrefix(m.Subject, want.subject) || !strings.HasPrefix(m.Text, want.greeting) {
			t.Errorf("mail to %s: subject %q, text:\n%s", to, m.Subject, m.Text)
		}
		if got := m.Header.Get("Content-Language"); got != want.lang {
			t.Errorf("mail to %s: Content-Language %q; want %q", to, got, want.lang)
		}
		if !strings.Contains(m.HTML, `<html lang="`+want.lang+`">`) {
			t.Errorf("mail to %s: the HTML does not say its language:\n%s", to, m.HTML)
		}
		if unsub := m.Header.Get("List-Unsubscribe"); !strings.Contains(unsub, "&lang="+want.lang) {
			t.Errorf("mail to %s: the unsubscribe page is not in its language: %s", to, unsub)
		}
		if strings.Contains(m.Text, "&amp;") || strings.Contains(m.Text, "&#39;") {
			t.Errorf("mail to %s: the text is HTML-escaped:\n%s", to, m.Text)
		}
	}
	if m := byTo["jo@print.example"]; !strings.Contains(m.Text, "(Smith & O'Neil") {
		t.Errorf("the other side's name is not as typed:\n%s", m.Text)
	}
}

// TestEnquiryMailsInEachUsersLanguage: an enquiry to a member is mailed
// to each of its users in that user's language, with the body as typed,
// as the other notifications are.
func TestEnquiryMailsInEachUsersLanguage(t *testing.T) {
	ne := setupNotify(t)
	ctx := context.Background()
	printM, printers := ne.member(t, "Leeds Print Workers", "LS9 8AB")
	_, kitchen := ne.member(t, "Smith & O'Neil", "LS7 3AA")
	for _, u := range []marketplace.NewUser{
		{Email: "sam@print.example", Password: "a long password 1", Role: marketplace.RoleOwner, Language: marketplace.LangWelsh},
		{Email: "alex@print.example", Password: "a long password 1", Role: marketplace.RoleOwner},
	} {
		if _, err := ne.service.AddUser(ne.staff, printM.ID, u); err != nil {
			t.Fatal(err)
		}
	}
	offer := ne.publish(t, printers, leafletOffer("LS9 8AB", 50))

	w := ne.workers(workers.Config{Concurrency: 2})
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()
	if _, err := ne.service.StartEnquiry(kitchen, offer.ID, marketplace.EnquiryInput{Body: "5,000 leaflets & posters?"}); err != nil {
		t.Fatal(err)
	}
	msgs := ne.smtp.Wait(t, 2, 20*time.Second)
	byTo := map[string]mailtest.Message{}
	for _, m := range msgs {
		byTo[strings.Join(m.To, ",")] = m
	}
	for to, want := range map[string]struct{ lang, subject, answer string }{
		"sam@print.example":  {"cy", "Ymholiad newydd: ", "Atebwch drwy ymateb"},
		"alex@print.example": {"en", "New enquiry: ", "Answer by replying"},
	} {
		m, ok := byTo[to]
		if !ok {
			t.Errorf("no mail to %s; mails to %v", to, recipients(msgs))
			continue
		}
		if !strings.HasPrefix(m.Subject, want.subject) || !strings.Contains(m.Text, want.answer) || !strings.Contains(m.Text, "5,000 leaflets & posters?") {
			t.Errorf("mail to %s: subject %q, text:\n%s", to, m.Subject, m.Text)
		}
		if got := m.Header.Get("Content-Language"); got != want.lang {
			t.Errorf("mail to %s: Content-Language %q; want %q", to, got, want.lang)
		}
		if unsub := m.Header.Get("List-Unsubscribe"); !strings.Contains(unsub, "&lang="+want.lang) {
			t.Errorf("mail to %s: the unsubscribe page is not in its language: %s", to, unsub)
		}
	}
}
