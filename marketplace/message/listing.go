package message

var matchText = mustText("match-text", `Hello {{.Member}},

{{if .ForNeed}}Your need may be answered by an offer from another member of the federation.{{else}}Another member of the federation needs what you offer.{{end}}

Yours: {{.Own.Title}}
Theirs: {{.Theirs.Title}} ({{.TheirMember.Name}}{{with or .Theirs.District .Theirs.Area}}, {{.}}{{end}})

Why they fit ({{printf "%.0f" .Score}} out of 100):
{{range .Reasons}}{{if .Points}}- {{.Detail}}
{{end}}{{end}}
See it: {{.Link}}

Federation staff review every match and will introduce you if it looks right.`)

var matchHTML = mustHTML("match-html", `<p>Hello {{.Member}},</p>
<p>{{if .ForNeed}}Your need may be answered by an offer from another member of the federation.{{else}}Another member of the federation needs what you offer.{{end}}</p>
<p><strong>Yours:</strong> {{.Own.Title}}<br><strong>Theirs:</strong> <a href="{{.Link}}">{{.Theirs.Title}}</a> ({{.TheirMember.Name}}{{with or .Theirs.District .Theirs.Area}}, {{.}}{{end}})</p>
<p>Why they fit ({{printf "%.0f" .Score}} out of 100):</p>
<ul>{{range .Reasons}}{{if .Points}}<li>{{.Detail}}</li>{{end}}{{end}}</ul>
<p>Federation staff review every match and will introduce you if it looks right.</p>`)

var introText = mustText("intro-text", `Hello {{.Member}},

Federation staff would like to introduce you to {{.Other.Name}}.

You wrote: {{.Own.Title}}
They wrote: {{.Theirs.Title}}
{{if .Theirs.Description}}
{{.Theirs.Description}}
{{end}}
{{if .Note}}A note from staff: {{.Note}}
{{end}}
Reach them at {{.Other.Email}}{{if .Other.Website}} or {{.Other.Website}}{{end}}.
Their listing: {{.Link}}

Please tell us how it goes: reply to this e-mail or tell federation staff.`)

var introHTML = mustHTML("intro-html", `<p>Hello {{.Member}},</p>
<p>Federation staff would like to introduce you to <strong>{{.Other.Name}}</strong>.</p>
<p><strong>You wrote:</strong> {{.Own.Title}}<br><strong>They wrote:</strong> <a href="{{.Link}}">{{.Theirs.Title}}</a></p>
{{if .Theirs.Description}}<blockquote>{{.Theirs.Description}}</blockquote>{{end}}
{{if .Note}}<p>A note from staff: {{.Note}}</p>{{end}}
<p>Reach them at <a href="mailto:{{.Other.Email}}">{{.Other.Email}}</a>{{if .Other.Website}} or <a href="{{.Other.Website}}">{{.Other.Website}}</a>{{end}}.</p>
<p>Please tell us how it goes.</p>`)

var removalText = mustText("removal-text", `Hello {{.Member}},

Federation staff have removed your {{.Listing.Kind}} "{{.Listing.Title}}" from the marketplace. It no longer appears in search or in new matches.

Why: {{.Note}}

If you think this is a mistake, or want to post it again in another form, reply to this e-mail or contact federation staff.

{{.Link}}`)

var removalHTML = mustHTML("removal-html", `<p>Hello {{.Member}},</p>
<p>Federation staff have removed your {{.Listing.Kind}} <strong>{{.Listing.Title}}</strong> from the marketplace. It no longer appears in search or in new matches.</p>
<p><strong>Why:</strong> {{.Note}}</p>
<p>If you think this is a mistake, or want to post it again in another form, reply to this e-mail or contact federation staff.</p>
<p><a href="{{.Link}}">Your listings</a></p>`)

var expiryText = mustText("expiry-text", `Hello {{.Member}},

Your {{.Listing.Kind}} "{{.Listing.Title}}" comes down on {{.Listing.ExpiresAt.Format "Monday 2 January 2006"}}.

Is it still wanted? To keep it up, publish it again after you have checked it is up to date; if the work is done, close it.

{{.Link}}`)

var expiryHTML = mustHTML("expiry-html", `<p>Hello {{.Member}},</p>
<p>Your {{.Listing.Kind}} <a href="{{.Link}}">{{.Listing.Title}}</a> comes down on {{.Listing.ExpiresAt.Format "Monday 2 January 2006"}}.</p>
<p>Is it still wanted? To keep it up, publish it again after you have checked it is up to date; if the work is done, close it.</p>`)
