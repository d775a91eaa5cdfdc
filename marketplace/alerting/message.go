package alerting

import (
	"html/template"
	"strings"
	texttemplate "text/template"

	"cooptrade/marketplace"
)

// digestItem is one listing as a message shows it.
type digestItem struct {
	Kind   marketplace.ListingKind
	Title  string
	Member string
	Place  string
	Price  string
	Link   string
}

func (x *Alerts) digestItem(h *marketplace.AlertHit) digestItem {
	place := h.Area
	if h.Remote {
		place = strings.TrimPrefix(place+", UK-wide or remote", ", ")
	}
	return digestItem{Kind: h.Kind, Title: h.Title, Member: h.MemberName, Place: place,
		Price: formatPrice(h.PriceMinPence, h.PriceMaxPence, h.PriceUnit), Link: x.s.Link("/listings/" + h.ListingID)}
}

// formatPrice writes a price range in pounds: "£400–£600 per job".
func formatPrice(lo, hi int64, unit string) string {
	if lo == 0 && hi == 0 {
		return ""
	}
	out := marketplace.Pounds(hi)
	if lo != hi && lo > 0 {
		out = marketplace.Pounds(lo) + "–" + marketplace.Pounds(hi)
	}
	if unit != "" {
		out += " per " + unit
	}
	return out
}

// alertMessage is an instant alert (one item) or a digest.
type alertMessage struct {
	Alert *marketplace.Alert
	Intro string
	Items []digestItem
	More  int
	Link  string
}

// alertText is plain text: it is written with text/template, so that
// nothing is HTML-escaped in it.
var alertText = texttemplate.Must(texttemplate.New("alert-text").Parse(`{{.Intro}}

Saved search: {{.Alert.Name}}
{{range .Items}}
- {{.Title}} ({{.Kind}}{{if .Member}}, {{.Member}}{{end}}{{if .Place}}, {{.Place}}{{end}}{{if .Price}}, {{.Price}}{{end}})
  {{.Link}}
{{end}}{{if .More}}
…and {{.More}} more: {{.Link}}
{{end}}`))

var alertHTML = template.Must(template.New("alert-html").Parse(`<p>{{.Intro}}</p>
<p>Saved search: <strong>{{.Alert.Name}}</strong></p>
<ul>{{range .Items}}<li><a href="{{.Link}}">{{.Title}}</a> ({{.Kind}}{{if .Member}}, {{.Member}}{{end}}{{if .Place}}, {{.Place}}{{end}}{{if .Price}}, {{.Price}}{{end}})</li>{{end}}</ul>
{{if .More}}<p>…and <a href="{{.Link}}">{{.More}} more</a>.</p>{{end}}`))

func (m alertMessage) render() (string, string) {
	var b strings.Builder
	text := ""
	if err := alertText.Execute(&b, m); err != nil {
		text = "(this message could not be written: " + err.Error() + ")"
	} else {
		text = b.String()
	}
	var h strings.Builder
	if err := alertHTML.Execute(&h, m); err != nil {
		return text, "(this message could not be written: " + err.Error() + ")"
	}
	return text, h.String()
}
