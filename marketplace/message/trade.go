package message

// The mails of enquiries and threads, in English and Welsh together: the
// reader's language is not known to the marketplace (a member of the
// public has no account at all). A body someone wrote is quoted as plain
// text; the HTML part shows it escaped, and never makes its links into
// links.

const (
	enquiryConfirmSubject = "Confirm your enquiry / Cadarnhewch eich ymholiad: "
	enquiryNewSubject     = "New enquiry / Ymholiad newydd: "
	threadAnswerSubject   = "New message / Neges newydd: "
)

var enquiryConfirmText = mustText("enquiry-confirm-text", `Hello {{.Name}},

You wrote to {{.Supplier}} about "{{.Title}}" on the co-operative marketplace. To send your enquiry, confirm your e-mail address by opening this link:

{{.Link}}

{{.Supplier}} will not see your e-mail address: answers come through the marketplace. If you did not write, ignore this e-mail and nothing is sent.

---

Helo {{.Name}},

Fe ysgrifennoch chi at {{.Supplier}} am "{{.Title}}" ar y farchnad gydweithredol. I anfon eich ymholiad, cadarnhewch eich cyfeiriad e-bost drwy agor y ddolen hon:

{{.Link}}

Ni fydd {{.Supplier}} yn gweld eich cyfeiriad e-bost: daw atebion drwy'r farchnad. Os nad chi a ysgrifennodd, anwybyddwch yr e-bost hwn ac ni chaiff dim ei anfon.
`)

var enquiryConfirmHTML = mustHTML("enquiry-confirm-html", `<p>Hello {{.Name}},</p>
<p>You wrote to {{.Supplier}} about <strong>{{.Title}}</strong> on the co-operative marketplace. To send your enquiry, confirm your e-mail address:</p>
<p><a href="{{.Link}}">Confirm and send my enquiry</a></p>
<p>{{.Supplier}} will not see your e-mail address: answers come through the marketplace. If you did not write, ignore this e-mail and nothing is sent.</p>
<hr>
<p lang="cy">Helo {{.Name}},</p>
<p lang="cy">Fe ysgrifennoch chi at {{.Supplier}} am <strong>{{.Title}}</strong> ar y farchnad gydweithredol. I anfon eich ymholiad, cadarnhewch eich cyfeiriad e-bost:</p>
<p lang="cy"><a href="{{.Link}}">Cadarnhau ac anfon fy ymholiad</a></p>
<p lang="cy">Ni fydd {{.Supplier}} yn gweld eich cyfeiriad e-bost: daw atebion drwy'r farchnad. Os nad chi a ysgrifennodd, anwybyddwch yr e-bost hwn ac ni chaiff dim ei anfon.</p>
`)

var threadNoticeText = mustText("thread-notice-text", `{{if .New}}{{.Author}} wrote about "{{.Title}}":{{else}}{{.Author}} answered about "{{.Title}}":{{end}}

{{.Body}}

Answer by replying to this e-mail (your address stays hidden), or on the marketplace: {{.Link}}

---

{{if .New}}Ysgrifennodd {{.Author}} am "{{.Title}}":{{else}}Atebodd {{.Author}} am "{{.Title}}":{{end}}

(Gweler y neges uchod.)

Atebwch drwy ymateb i'r e-bost hwn (mae eich cyfeiriad yn aros yn gudd), neu ar y farchnad: {{.Link}}
`)

var threadNoticeHTML = mustHTML("thread-notice-html", `<p>{{if .New}}{{.Author}} wrote about <strong>{{.Title}}</strong>:{{else}}{{.Author}} answered about <strong>{{.Title}}</strong>:{{end}}</p>
<div style="white-space:pre-wrap;border-left:3px solid #ccc;padding-left:12px">{{.Body}}</div>
<p>Answer by replying to this e-mail (your address stays hidden), or <a href="{{.Link}}">on the marketplace</a>.</p>
<hr>
<p lang="cy">{{if .New}}Ysgrifennodd {{.Author}} am <strong>{{.Title}}</strong>{{else}}Atebodd {{.Author}} am <strong>{{.Title}}</strong>{{end}} (gweler y neges uchod).</p>
<p lang="cy">Atebwch drwy ymateb i'r e-bost hwn (mae eich cyfeiriad yn aros yn gudd), neu <a href="{{.Link}}">ar y farchnad</a>.</p>
`)

const dealReportedSubject = "A deal to confirm / Bargen i'w chadarnhau: "

var dealNoticeText = mustText("deal-notice-text", `{{.Reporter}} reported a deal with you:

{{.Deal.What}}
Value: {{pence .Deal.ValuePence}}
Agreed on: {{.Deal.Date}}

Only deals both sides confirm count in the federation's figures. Confirm it, or say what is not right: {{.Link}}

---

Cofnododd {{.Reporter}} fargen gyda chi:

{{.Deal.What}}
Gwerth: {{pence .Deal.ValuePence}}
Cytunwyd ar: {{.Deal.Date}}

Dim ond bargeinion y mae'r ddwy ochr yn eu cadarnhau sy'n cyfrif yn ffigurau'r ffederasiwn. Cadarnhewch hi, neu dywedwch beth sydd o'i le: {{.Link}}
`)

var dealNoticeHTML = mustHTML("deal-notice-html", `<p>{{.Reporter}} reported a deal with you:</p>
<p><strong>{{.Deal.What}}</strong><br>Value: {{pence .Deal.ValuePence}}<br>Agreed on: {{.Deal.Date}}</p>
<p>Only deals both sides confirm count in the federation's figures. <a href="{{.Link}}">Confirm it, or say what is not right</a>.</p>
<hr>
<p lang="cy">Cofnododd {{.Reporter}} fargen gyda chi:</p>
<p lang="cy"><strong>{{.Deal.What}}</strong><br>Gwerth: {{pence .Deal.ValuePence}}<br>Cytunwyd ar: {{.Deal.Date}}</p>
<p lang="cy">Dim ond bargeinion y mae'r ddwy ochr yn eu cadarnhau sy'n cyfrif yn ffigurau'r ffederasiwn. <a href="{{.Link}}">Cadarnhewch hi, neu dywedwch beth sydd o'i le</a>.</p>
`)

const (
	quoteNewSubject      = "A quote for your need / Dyfynbris i'ch angen: "
	quoteAcceptedSubject = "Your quote was accepted / Derbyniwyd eich dyfynbris: "
)

var quoteNoticeText = mustText("quote-notice-text", `{{with .Quote}}{{if $.Accepted}}{{.NeedMemberName}} accepted your quote for "{{.NeedTitle}}": {{pence .PricePence}} per {{.PriceUnit}}. The deal is recorded in the federation's figures.{{else}}{{.MemberName}} quoted for your need "{{.NeedTitle}}": {{pence .PricePence}} per {{.PriceUnit}}, valid until {{.ValidUntil}}.

What it covers: {{.Covers}}{{end}}{{end}}

{{.Link}}

---

{{with .Quote}}{{if $.Accepted}}Derbyniodd {{.NeedMemberName}} eich dyfynbris ar gyfer "{{.NeedTitle}}": {{pence .PricePence}} y {{.PriceUnit}}. Mae'r fargen wedi'i chofnodi yn ffigurau'r ffederasiwn.{{else}}Anfonodd {{.MemberName}} ddyfynbris ar gyfer eich angen "{{.NeedTitle}}": {{pence .PricePence}} y {{.PriceUnit}}, yn ddilys tan {{.ValidUntil}}.

Beth mae'n ei gynnwys: {{.Covers}}{{end}}{{end}}

{{.Link}}
`)

var quoteNoticeHTML = mustHTML("quote-notice-html", `{{with .Quote}}<p>{{if $.Accepted}}{{.NeedMemberName}} accepted your quote for <strong>{{.NeedTitle}}</strong>: {{pence .PricePence}} per {{.PriceUnit}}. The deal is recorded in the federation's figures.{{else}}{{.MemberName}} quoted for your need <strong>{{.NeedTitle}}</strong>: {{pence .PricePence}} per {{.PriceUnit}}, valid until {{.ValidUntil}}.</p>
<p>What it covers: {{.Covers}}{{end}}</p>{{end}}
<p><a href="{{.Link}}">{{.Link}}</a></p>
<hr>
{{with .Quote}}<p lang="cy">{{if $.Accepted}}Derbyniodd {{.NeedMemberName}} eich dyfynbris ar gyfer <strong>{{.NeedTitle}}</strong>: {{pence .PricePence}} y {{.PriceUnit}}. Mae'r fargen wedi'i chofnodi yn ffigurau'r ffederasiwn.{{else}}Anfonodd {{.MemberName}} ddyfynbris ar gyfer eich angen <strong>{{.NeedTitle}}</strong>: {{pence .PricePence}} y {{.PriceUnit}}, yn ddilys tan {{.ValidUntil}}.</p>
<p lang="cy">Beth mae'n ei gynnwys: {{.Covers}}{{end}}</p>{{end}}
`)

const quoteInvitedSubject = "Quote together? / Dyfynnu gyda'ch gilydd? "

var quoteInvitedText = mustText("quote-invited-text", `{{with .Quote}}{{.MemberName}} invites you to quote together for "{{.NeedTitle}}" ({{.NeedMemberName}}): {{pence .PricePence}} per {{.PriceUnit}} in all.
{{range .Parts}}
- {{.MemberName}}: {{pence .SharePence}}{{end}}

Accept your part on the need's page, and the lead can send the quote once every partner has.{{end}}

{{.Link}}

---

{{with .Quote}}Mae {{.MemberName}} yn eich gwahodd i ddyfynnu gyda'ch gilydd ar gyfer "{{.NeedTitle}}" ({{.NeedMemberName}}): {{pence .PricePence}} y {{.PriceUnit}} i gyd.
{{range .Parts}}
- {{.MemberName}}: {{pence .SharePence}}{{end}}

Derbyniwch eich rhan ar dudalen yr angen, a gall yr arweinydd anfon y dyfynbris unwaith y bydd pob partner wedi gwneud hynny.{{end}}

{{.Link}}
`)

var quoteInvitedHTML = mustHTML("quote-invited-html", `{{with .Quote}}<p>{{.MemberName}} invites you to quote together for <strong>{{.NeedTitle}}</strong> ({{.NeedMemberName}}): {{pence .PricePence}} per {{.PriceUnit}} in all.</p>
<ul>{{range .Parts}}<li>{{.MemberName}}: {{pence .SharePence}}</li>{{end}}</ul>
<p>Accept your part on the need's page, and the lead can send the quote once every partner has.</p>{{end}}
<p><a href="{{.Link}}">{{.Link}}</a></p>
<hr>
{{with .Quote}}<p lang="cy">Mae {{.MemberName}} yn eich gwahodd i ddyfynnu gyda'ch gilydd ar gyfer <strong>{{.NeedTitle}}</strong> ({{.NeedMemberName}}): {{pence .PricePence}} y {{.PriceUnit}} i gyd.</p>
<p lang="cy">Derbyniwch eich rhan ar dudalen yr angen, a gall yr arweinydd anfon y dyfynbris unwaith y bydd pob partner wedi gwneud hynny.</p>{{end}}
`)
