package message

import (
	"fmt"
	"strings"

	"cooptrade/marketplace"
)

// alert is an AlertMessage with its words chosen.
type alert struct {
	marketplace.AlertMessage
	Subject, Intro string
	Lines          []alertLine
}

// alertLine is one listing as an alert shows it.
type alertLine struct {
	Kind                       marketplace.ListingKind
	Title, Member, Place, Link string
	Price                      string
}

func newAlert(m marketplace.AlertMessage) alert {
	a := alert{AlertMessage: m}
	for _, it := range m.Items {
		h := it.Hit
		place := h.Area
		if h.Remote {
			place = strings.TrimPrefix(place+", UK-wide or remote", ", ")
		}
		a.Lines = append(a.Lines, alertLine{Kind: h.Kind, Title: h.Title, Member: h.MemberName, Place: place,
			Price: priceRange(h.PriceMinPence, h.PriceMaxPence, h.PriceUnit), Link: it.Link})
	}
	if m.Digest == "" && len(m.Items) > 0 {
		h := m.Items[0].Hit
		a.Intro = "A new listing matches your saved search."
		a.Subject = "New " + string(h.Kind) + " for your saved search: " + h.Title
		return a
	}
	what := "new listing"
	if m.Count != 1 {
		what = "new listings"
	}
	span := "on " + m.Start.Format("Monday 2 January")
	if m.Digest == marketplace.AlertWeekly {
		span = "in the week of " + m.Start.Format("2 January")
	}
	a.Intro = fmt.Sprintf("%d %s matched your saved search %s.", m.Count, what, span)
	a.Subject = fmt.Sprintf("%d %s for your saved search: %s", m.Count, what, m.Alert.Name)
	return a
}

// priceRange writes a price range in pounds: "£400–£600 per job".
func priceRange(lo, hi int64, unit string) string {
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

var alertText = mustText("alert-text", `{{.Intro}}

Saved search: {{.Alert.Name}}
{{range .Lines}}
- {{.Title}} ({{.Kind}}{{if .Member}}, {{.Member}}{{end}}{{if .Place}}, {{.Place}}{{end}}{{if .Price}}, {{.Price}}{{end}})
  {{.Link}}
{{end}}{{if .More}}
…and {{.More}} more: {{.Link}}
{{end}}`)

var alertHTML = mustHTML("alert-html", `<p>{{.Intro}}</p>
<p>Saved search: <strong>{{.Alert.Name}}</strong></p>
<ul>{{range .Lines}}<li><a href="{{.Link}}">{{.Title}}</a> ({{.Kind}}{{if .Member}}, {{.Member}}{{end}}{{if .Place}}, {{.Place}}{{end}}{{if .Price}}, {{.Price}}{{end}})</li>{{end}}</ul>
{{if .More}}<p>…and <a href="{{.Link}}">{{.More}} more</a>.</p>{{end}}`)
