package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
	"cooptrade/search"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFS embed.FS

// templates are the pages, each parsed with the layout and the partials.
type templates struct {
	pages map[string]*template.Template
}

// funcs are the template functions that need no request.
var funcs = template.FuncMap{
	"add": func(a, b int) int { return a + b },
	// pair passes a page and one more value to a partial.
	"pair": func(p *Page, v any) pageItem { return pageItem{P: p, V: v} },
	"join": strings.Join,
	// head passes a field, its label and its hint (if any), already
	// translated, to the "field-head" partial.
	"head": func(p *Page, f fieldView, label string, hint ...string) fieldHead {
		return fieldHead{P: p, V: f, Label: label, Hint: strings.Join(hint, "")}
	},
}

// pageItem is a page and a value, for partials that show one thing of many.
type pageItem struct {
	P *Page
	V any
}

func parseTemplates() (*templates, error) {
	return parseTemplatesFS(templateFiles)
}

func parseTemplatesFS(fsys fs.FS) (*templates, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(fsys, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	partials, err := fs.Glob(fsys, "templates/*.partial.html")
	if err != nil {
		return nil, err
	}
	if len(partials) > 0 {
		if base, err = base.ParseFS(fsys, partials...); err != nil {
			return nil, fmt.Errorf("web: templates: %w", err)
		}
	}
	files, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || strings.HasSuffix(name, ".partial") {
			continue
		}
		page, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := page.ParseFS(fsys, f); err != nil {
			return nil, fmt.Errorf("web: templates: %w", err)
		}
		t.pages[name] = page
	}
	return t, nil
}

// Page is what every template is executed with: the frame's data (title,
// language, the signed-in user) and the page's own (Data, Form).
type Page struct {
	// Lang is the language of the page, "en" or "cy".
	Lang string
	// User is the signed-in user, nil for the public.
	User *marketplace.User
	// Title and Description are the page's title and summary (for the
	// title element, meta description and Open Graph).
	Title       string
	Description string
	// Heading is the page's h1 when it differs from Title.
	Heading string
	// Canonical is the page's own address, without ?lang.
	Canonical string
	// OGType is the Open Graph type ("website" unless set).
	OGType string
	// Private pages are kept out of search engines.
	Private bool
	// Section names the part of the site the page belongs to, for the
	// navigation's aria-current.
	Section string
	// Flash confirms what was just done ("Your offer is published.").
	Flash string
	// Form is the page's form: the values typed and the errors found.
	Form *Form
	// Data is the page's own data.
	Data any

	v        *visit
	langURLs map[string]string
}

// page starts the Page of a request, with its title and description from
// the catalogue.
func (s *Server) page(c *fiber.Ctx, titleKey, descKey string, args ...any) *Page {
	v := s.startVisit(c)
	p := &Page{Lang: v.Lang, User: v.User, v: v, OGType: "website", Private: v.User != nil, Form: newForm()}
	if titleKey != "" {
		p.Title = p.T(titleKey, args...)
	}
	if descKey != "" {
		p.Description = p.T(descKey, args...)
	}
	uri := c.Request().URI()
	q, _ := url.ParseQuery(string(uri.QueryString()))
	q.Del("lang")
	q.Del("done")
	canonical := string(uri.Path())
	if len(q) > 0 {
		canonical += "?" + q.Encode()
	}
	p.Canonical = s.absolute(canonical)
	p.langURLs = map[string]string{}
	for _, l := range Languages {
		lq, _ := url.ParseQuery(string(uri.QueryString()))
		lq.Set("lang", l)
		lq.Del("done")
		p.langURLs[l] = string(uri.Path()) + "?" + lq.Encode()
	}
	if d := c.Query("done"); d != "" && len(d) < 40 {
		if msg := p.T("done." + d); msg != "done."+d {
			p.Flash = msg
		}
	}
	return p
}

// render writes a page. Pages for signed-in people are never cached.
func (s *Server) render(c *fiber.Ctx, status int, name string, p *Page) error {
	t, ok := s.pages.pages[name]
	if !ok {
		return fmt.Errorf("web: no template %q", name)
	}
	if p.Form == nil {
		p.Form = newForm()
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.logger.ErrorContext(c.UserContext(), "cannot render a page", "page", name, "error", err)
		c.Status(fiber.StatusInternalServerError).Type("txt", "utf-8")
		return c.SendString("Internal error.")
	}
	if p.v.User != nil || p.Form.used {
		c.Set(fiber.HeaderCacheControl, "private, no-store")
	} else {
		c.Set(fiber.HeaderCacheControl, "no-cache")
	}
	c.Status(status).Type("html", "utf-8")
	return c.Send(buf.Bytes())
}

// T translates a message of the catalogue into the page's language. args
// are name, value pairs; "Count" chooses the plural form.
func (p *Page) T(id string, args ...any) string {
	return p.v.s.cat.translate(p.Lang, id, args...)
}

// CSRF returns the token every form of the page carries.
func (p *Page) CSRF() string {
	p.Form.used = true
	return p.v.csrfToken()
}

// LangURL returns this page's address in language l.
func (p *Page) LangURL(l string) string { return p.langURLs[l] }

// AltURL returns the absolute address of this page in language l.
func (p *Page) AltURL(l string) string { return p.v.s.absolute(p.langURLs[l]) }

// OtherLang returns the language the switch offers.
func (p *Page) OtherLang() string {
	if p.Lang == "cy" {
		return "en"
	}
	return "cy"
}

// Locale returns the Open Graph locale of the page's language.
func (p *Page) Locale(l string) string {
	if l == "cy" {
		return "cy_GB"
	}
	return "en_GB"
}

// Static returns the address of a static file, with its version.
func (p *Page) Static(name string) string {
	return "/static/" + name + "?v=" + p.v.s.static.version[name]
}

// Date writes a date: "27 November 2026" or "27 Tachwedd 2026".
func (p *Page) Date(t any) string {
	switch t := t.(type) {
	case time.Time:
		return p.v.s.cat.formatDate(p.Lang, t)
	case *time.Time:
		if t == nil {
			return ""
		}
		return p.v.s.cat.formatDate(p.Lang, *t)
	}
	return ""
}

// ISODate writes a date for a datetime attribute or a date input.
func (p *Page) ISODate(t any) string {
	switch t := t.(type) {
	case time.Time:
		return t.In(ukTime).Format(time.DateOnly)
	case *time.Time:
		if t != nil {
			return t.In(ukTime).Format(time.DateOnly)
		}
	}
	return ""
}

// Money writes pence as pounds: £1,250.
func (p *Page) Money(pence int64) string { return formatMoney(pence) }

// Number writes a whole number: 12,345.
func (p *Page) Number(n int) string { return formatNumber(int64(n)) }

// Price writes a price or budget range with its unit: "£300 to £500 for
// the job", "from £40 an hour", or "" when there is none.
func (p *Page) Price(lo, hi int64, unit string) string {
	var amount string
	switch {
	case lo == 0 && hi == 0:
		return ""
	case lo == hi:
		amount = formatMoney(lo)
	case lo == 0:
		amount = p.T("price.up_to", "Amount", formatMoney(hi))
	case hi == 0:
		amount = p.T("price.from", "Amount", formatMoney(lo))
	default:
		amount = p.T("price.range", "From", formatMoney(lo), "To", formatMoney(hi))
	}
	if unit == "" {
		return amount
	}
	return p.T("price.per."+unit, "Amount", amount)
}

// Distance writes a distance in km, or "" for none.
func (p *Page) Distance(km *float64) string {
	if km == nil {
		return ""
	}
	return p.T("search.distance", "Distance", formatDistance(*km))
}

// Category returns a category's name (or a sector's) in the page's
// language.
func (p *Page) Category(slug string) string {
	if c, ok := marketplace.Taxonomy.Category(slug); ok {
		return p.named("category."+slug, c.Name)
	}
	if sec, ok := marketplace.Taxonomy.Sector(slug); ok {
		return p.named("sector."+slug, sec.Name)
	}
	return slug
}

// Sector returns a sector's name.
func (p *Page) Sector(slug string) string {
	if sec, ok := marketplace.Taxonomy.Sector(slug); ok {
		return p.named("sector."+slug, sec.Name)
	}
	return slug
}

// SectorOf returns the name of a category's sector.
func (p *Page) SectorOf(category string) string {
	if c, ok := marketplace.Taxonomy.Category(category); ok {
		return p.Sector(c.Sector)
	}
	return ""
}

// Value returns the name of one of the members' values.
func (p *Page) Value(slug string) string {
	for _, v := range marketplace.Values {
		if v.Slug == slug {
			return p.named("value."+slug, v.Name)
		}
	}
	return slug
}

// Area returns the name of a postcode area ("Cardiff", "Caerdydd").
func (p *Page) Area(code string) string {
	a, ok := marketplace.FindPostcodeArea(code)
	if !ok {
		return code
	}
	return p.named("area."+a.Code, a.Name)
}

// District returns the name of a postcode district's place ("Leeds",
// "Caerdydd"), or the code when it is not known.
func (p *Page) District(code string) string {
	d, ok := marketplace.FindDistrict(code)
	if !ok {
		return code
	}
	if p.Lang == "cy" && d.NameCy != "" {
		return d.NameCy
	}
	return d.Name
}

// Region returns the name of a region or nation.
func (p *Page) Region(slug string) string {
	return p.named("places.region."+slug, marketplace.RegionNames[slug])
}

// Reach words how a hit stands to the place of a near search: based within
// the radius ("Based 3 km away"), serving the place from further away
// ("Serves Leeds from Birmingham, 151 km"), or UK-wide or remote; "" for a
// search with no place.
func (p *Page) Reach(h search.Hit, near *search.Near) string {
	switch {
	case near == nil:
		return ""
	case h.Relation == search.RelationBased && h.DistanceKM != nil:
		return p.T("places.based", "Distance", formatDistance(*h.DistanceKM))
	case h.Relation == search.RelationServing && h.DistanceKM != nil:
		place := p.Area(near.Area)
		if near.District != "" {
			place = p.District(near.District)
		}
		return p.T("places.serving", "Place", place, "From", p.District(h.District), "Distance", formatDistance(*h.DistanceKM))
	case h.Relation == search.RelationRemote:
		return p.T("places.remote")
	}
	return ""
}

// named returns the message id, or the domain's English name when the
// catalogue has none (place names mostly have no Welsh form).
func (p *Page) named(id, def string) string {
	if msg := p.T(id); msg != id {
		return msg
	}
	return def
}

// Kind, Status, Standing, MatchStatus and Frequency name the domain's
// enumerations.
func (p *Page) Kind(k marketplace.ListingKind) string { return p.T("kind." + string(k)) }

// Status names a listing status.
func (p *Page) Status(st marketplace.ListingStatus) string { return p.T("status." + string(st)) }

// Standing names a member's standing.
func (p *Page) Standing(st marketplace.Standing) string { return p.T("standing." + string(st)) }

// MatchStatus names where staff review of a match has got to.
func (p *Page) MatchStatus(st marketplace.MatchStatus) string {
	return p.T("match.status." + string(st))
}

// Frequency names how often a saved search sends what it finds.
func (p *Page) Frequency(f marketplace.AlertFrequency) string {
	return p.T("alert.frequency." + string(f))
}

// NotificationType names a kind of notification.
func (p *Page) NotificationType(typ string) string {
	return p.T("notify.type." + strings.ReplaceAll(typ, ".", "_"))
}

// Categories lists the taxonomy for a select: sectors and their
// categories, in the page's language.
func (p *Page) Categories() []sectorOption {
	var out []sectorOption
	for _, sec := range marketplace.Taxonomy.Sectors {
		o := sectorOption{Slug: sec.Slug, Name: p.Sector(sec.Slug)}
		for _, c := range sec.Categories {
			o.Categories = append(o.Categories, option{Value: c.Slug, Label: p.Category(c.Slug)})
		}
		out = append(out, o)
	}
	return out
}

type sectorOption struct {
	Slug, Name string
	Categories []option
}

type option struct {
	Value, Label string
}

// staticFiles are the CSS and JavaScript, with a version (a hash of their
// content) for their addresses, so that browsers may keep them for long.
type staticFiles struct {
	files   map[string][]byte
	version map[string]string
}

func loadStatic() (*staticFiles, error) {
	st := &staticFiles{files: map[string][]byte{}, version: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := path.Base(p)
		sum := sha256.Sum256(b)
		st.files[name], st.version[name] = b, hex.EncodeToString(sum[:6])
		return nil
	})
	return st, err
}

// handleStatic serves the CSS and JavaScript.
func (s *Server) handleStatic(c *fiber.Ctx) error {
	name := c.Params("name")
	b, ok := s.static.files[name]
	if !ok {
		return c.Next()
	}
	if c.Query("v") == s.static.version[name] {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	}
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentType, mime.TypeByExtension(path.Ext(name)))
	return c.Send(b)
}
