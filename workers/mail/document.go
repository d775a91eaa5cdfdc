package mail

import (
	"html"
	"strings"
)

// HTMLDocument makes an HTML part a whole document in its language: an
// <html lang> element around body, which is an HTML fragment (as the
// marketplace's messages are). A body that is a document already is kept.
func HTMLDocument(lang, title, body string) string {
	if body == "" || strings.HasPrefix(strings.TrimSpace(strings.ToLower(body)), "<!doctype") {
		return body
	}
	open := "<html>"
	if lang != "" {
		open = `<html lang="` + html.EscapeString(lang) + `">`
	}
	return "<!DOCTYPE html>\n" + open + "\n<head><meta charset=\"utf-8\"><title>" + html.EscapeString(title) +
		"</title></head>\n<body>\n" + body + "\n</body>\n</html>\n"
}

// LanguageHeaders returns the header field that says the language of a
// message (RFC 3282), or nil when it is not known.
func LanguageHeaders(lang string) map[string]string {
	if lang == "" {
		return nil
	}
	return map[string]string{"Content-Language": lang}
}
