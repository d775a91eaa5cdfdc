package web

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Languages are the languages of the pages, the default first.
var Languages = []string{"en", "cy"}

//go:embed messages/*.toml
var messageFiles embed.FS

// catalogue holds the messages of every language.
type catalogue struct {
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer
	matcher    language.Matcher
}

// loadCatalogue loads every messages/*.<lang>.toml file.
func loadCatalogue() (*catalogue, error) {
	return loadCatalogueFS(messageFiles)
}

func loadCatalogueFS(fsys fs.FS) (*catalogue, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(fsys, "messages/*.toml")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if _, err := b.LoadMessageFileFS(fsys, f); err != nil {
			return nil, fmt.Errorf("web: messages %s: %w", path.Base(f), err)
		}
	}
	cat := &catalogue{bundle: b, localizers: map[string]*i18n.Localizer{}}
	var tags []language.Tag
	for _, l := range Languages {
		cat.localizers[l] = i18n.NewLocalizer(b, l)
		tags = append(tags, language.Make(l))
	}
	cat.matcher = language.NewMatcher(tags)
	return cat, nil
}

// translate returns the message id in lang, filled with the data given as
// name, value pairs. A "Count" pair also chooses the plural form. A
// message missing in lang is given in English; one missing altogether is
// shown as its id, which the tests look for.
func (cat *catalogue) translate(lang, id string, args ...any) string {
	loc := cat.localizers[lang]
	if loc == nil {
		loc = cat.localizers[Languages[0]]
	}
	var lc i18n.LocalizeConfig
	lc.MessageID = id
	if len(args) > 0 {
		data := make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			name, _ := args[i].(string)
			data[name] = args[i+1]
			if name == "Count" {
				lc.PluralCount = args[i+1]
			}
		}
		lc.TemplateData = data
	}
	msg, err := loc.Localize(&lc)
	if msg == "" && err != nil {
		return id
	}
	return msg
}

// language returns the language of a request: ?lang= (which is then
// remembered in a cookie), else the cookie, else the best of
// Accept-Language, else English.
func (s *Server) language(c *fiber.Ctx) string {
	if l := c.Query("lang"); isLanguage(l) {
		l = strings.Clone(l)
		s.setCookie(c, langCookie, l, s.now().AddDate(1, 0, 0))
		return l
	}
	if l := c.Cookies(langCookie); isLanguage(l) {
		return strings.Clone(l)
	}
	if h := c.Get(fiber.HeaderAcceptLanguage); h != "" {
		tags, _, err := language.ParseAcceptLanguage(h)
		if err == nil && len(tags) > 0 {
			_, i, conf := s.cat.matcher.Match(tags...)
			if conf != language.No {
				return Languages[i]
			}
		}
	}
	return Languages[0]
}

func isLanguage(l string) bool {
	for _, v := range Languages {
		if l == v {
			return true
		}
	}
	return false
}
