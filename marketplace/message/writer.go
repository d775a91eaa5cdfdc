package message

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	texttemplate "text/template"

	"cooptrade/marketplace"
)

// Writer words messages in English and Welsh, from the templates of each
// language (templates/LANG.txt for subjects and plain text, LANG.html for
// HTML).
type Writer struct{}

var _ marketplace.MessageWriter = Writer{}

// maxSubject bounds a subject, which carries titles people typed.
const maxSubject = 200

//go:embed templates
var templateFiles embed.FS

// words are the templates of one language.
type words struct {
	lang string
	// text holds the subjects and plain-text bodies: nothing is escaped,
	// so that "Smith & O'Neil" stays as typed.
	text *texttemplate.Template
	// html holds the HTML bodies, which escape what they are given.
	html *template.Template
}

var languages = map[string]*words{
	marketplace.LangEnglish: mustWords(marketplace.LangEnglish, english),
	marketplace.LangWelsh:   mustWords(marketplace.LangWelsh, welsh),
}

func mustWords(lang string, fm map[string]any) *words {
	w := &words{lang: lang}
	w.text = texttemplate.Must(texttemplate.New(lang).Funcs(fm).ParseFS(templateFiles, "templates/"+lang+".txt"))
	// The HTML set holds the text templates too, for the phrases both
	// share (an alert's intro), escaped there.
	w.html = template.Must(template.New(lang).Funcs(fm).ParseFS(templateFiles, "templates/"+lang+".txt", "templates/"+lang+".html"))
	return w
}

// wordsFor returns the templates of lang, English for any other.
func wordsFor(lang string) *words {
	if w, ok := languages[lang]; ok {
		return w
	}
	return languages[marketplace.LangEnglish]
}

// kindOf names the templates of a message and gives the data they take.
func kindOf(m marketplace.Message, lang string) (kind string, data any, err error) {
	switch m := m.(type) {
	case marketplace.MatchMessage:
		return "match", m, nil
	case marketplace.IntroMessage:
		return "intro", m, nil
	case marketplace.RemovalMessage:
		return "removal", m, nil
	case marketplace.ExpiryMessage:
		return "expiry", m, nil
	case marketplace.ResetMessage:
		return "reset", m, nil
	case marketplace.EnquiryConfirmMessage:
		return "enquiryconfirm", m, nil
	case marketplace.EnquirerMessage:
		return "enquirer", m, nil
	case marketplace.ThreadNotice:
		return "thread", m, nil
	case marketplace.QuoteNotice:
		if m.Invited {
			return "quoteinvited", m, nil
		}
		return "quote", m, nil
	case marketplace.DealNotice:
		return "deal", m, nil
	case marketplace.AlertMessage:
		return "alert", newAlert(m, lang), nil
	case marketplace.DuesMessage:
		return "dues", m, nil
	case marketplace.InvitationMessage:
		return "invitation", m, nil
	case marketplace.ApplicationConfirmMessage:
		return "joinconfirm", m, nil
	case marketplace.ApplicationDecisionMessage:
		return "joindecision", m, nil
	}
	return "", nil, fmt.Errorf("message: no words for %T", m)
}

// WriteMessage implements marketplace.MessageWriter. The HTML is wrapped
// in an element that carries its language.
func (Writer) WriteMessage(m marketplace.Message, lang string) (marketplace.Written, error) {
	w := wordsFor(lang)
	out := marketplace.Written{Lang: w.lang}
	kind, data, err := kindOf(m, w.lang)
	if err != nil {
		return out, err
	}
	subject, err := execute(w.text, kind+".subject", data)
	if err != nil {
		return out, err
	}
	out.Subject = marketplace.Truncate(strings.Join(strings.Fields(subject), " "), maxSubject)
	if out.Text, err = execute(w.text, kind+".text", data); err != nil {
		return out, err
	}
	html, err := execute(w.html, kind+".html", data)
	if err != nil {
		return out, err
	}
	out.HTML = langDiv(w.lang, html)
	return out, nil
}

// WriteUnsubscribe implements marketplace.MessageWriter.
func (Writer) WriteUnsubscribe(link, lang string) (string, string) {
	w := wordsFor(lang)
	text, err1 := execute(w.text, "unsubscribe.text", link)
	html, err2 := execute(w.html, "unsubscribe.html", link)
	if err1 != nil || err2 != nil {
		// The templates are fixed and take a string: this cannot happen
		// unless they are broken, which the tests catch.
		panic(fmt.Sprintf("message: unsubscribe: %v %v", err1, err2))
	}
	return text, langDiv(w.lang, html)
}

// langDiv wraps an HTML fragment in an element that says its language, so
// that a reader's mail program (and screen reader) know it.
func langDiv(lang, html string) string {
	return `<div lang="` + lang + `">` + html + `</div>`
}

func execute(t interface {
	ExecuteTemplate(io.Writer, string, any) error
}, name string, data any) (string, error) {
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("message: %w", err)
	}
	return b.String(), nil
}
