package message

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	texttemplate "text/template"

	"cooptrade/marketplace"
)

// Writer words messages in English.
type Writer struct{}

var _ marketplace.MessageWriter = Writer{}

// maxSubject bounds a subject, which carries titles people typed.
const maxSubject = 200

// WriteMessage implements marketplace.MessageWriter.
func (Writer) WriteMessage(m marketplace.Message) (marketplace.Written, error) {
	var w marketplace.Written
	var text *texttemplate.Template
	var html *template.Template
	var data any = m
	switch m := m.(type) {
	case marketplace.MatchMessage:
		text, html = matchText, matchHTML
		if m.ForNeed {
			w.Subject = "A supplier for your need: " + m.Own.Title
		} else {
			w.Subject = "A member needs what you offer: " + m.Theirs.Title
		}
	case marketplace.IntroMessage:
		text, html = introText, introHTML
		if m.ForNeed {
			w.Subject = "Introducing " + m.Other.Name + " for your need: " + m.Own.Title
		} else {
			w.Subject = "Introducing " + m.Other.Name + ", who needs: " + m.Theirs.Title
		}
	case marketplace.RemovalMessage:
		text, html = removalText, removalHTML
		w.Subject = "Your listing was removed: " + m.Listing.Title
	case marketplace.ExpiryMessage:
		text, html = expiryText, expiryHTML
		w.Subject = "Is this still wanted? " + m.Listing.Title
	case marketplace.ResetMessage:
		text, html = resetText, resetHTML
		w.Subject = resetSubject
	case marketplace.EnquiryConfirmMessage:
		text, html = enquiryConfirmText, enquiryConfirmHTML
		w.Subject = enquiryConfirmSubject + m.Title
	case marketplace.ThreadNotice:
		text, html = threadNoticeText, threadNoticeHTML
		w.Subject = threadAnswerSubject + m.Title
		if m.New {
			w.Subject = enquiryNewSubject + m.Title
		}
	case marketplace.QuoteNotice:
		text, html = quoteNoticeText, quoteNoticeHTML
		w.Subject = quoteNewSubject + m.Quote.NeedTitle
		if m.Accepted {
			w.Subject = quoteAcceptedSubject + m.Quote.NeedTitle
		}
		if m.Invited {
			text, html = quoteInvitedText, quoteInvitedHTML
			w.Subject = quoteInvitedSubject + m.Quote.NeedTitle
		}
	case marketplace.DealNotice:
		text, html = dealNoticeText, dealNoticeHTML
		w.Subject = dealReportedSubject + m.Deal.What
	case marketplace.AlertMessage:
		a := newAlert(m)
		text, html, data = alertText, alertHTML, a
		w.Subject = a.Subject
	default:
		return w, fmt.Errorf("message: no words for %T", m)
	}
	w.Subject = marketplace.Truncate(w.Subject, maxSubject)
	var err error
	if w.Text, err = execute(text, data); err != nil {
		return w, err
	}
	w.HTML, err = execute(html, data)
	return w, err
}

// WriteUnsubscribe implements marketplace.MessageWriter.
func (Writer) WriteUnsubscribe(link string) (string, string) {
	return "\n\nTo stop these e-mails: " + link + "\n",
		`<p style="color:#555;font-size:13px">To stop these e-mails, <a href="` + template.HTMLEscapeString(link) + `">unsubscribe</a>.</p>`
}

func execute(t interface{ Execute(io.Writer, any) error }, data any) (string, error) {
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("message: %w", err)
	}
	return b.String(), nil
}

// mustHTML parses the template of a mail's HTML part: what it is given is
// escaped for HTML.
func mustHTML(name, text string) *template.Template {
	return template.Must(template.New(name).Funcs(template.FuncMap{"pence": marketplace.FormatPence}).Parse(text))
}

// mustText parses the template of a plain text part (a mail's text, an
// inbox item): nothing is escaped, so that "Kitchen's" stays as typed.
func mustText(name, text string) *texttemplate.Template {
	return texttemplate.Must(texttemplate.New(name).Funcs(texttemplate.FuncMap{"pence": marketplace.FormatPence}).Parse(text))
}
