package message

// resetText and resetHTML are written in English and Welsh together: the
// reader's language is not known to the marketplace yet.
var resetText = mustText("reset-text", `{{with .Name}}Hello {{.}},{{else}}Hello,{{end}}

Someone asked to choose a new password for your account on the co-operative marketplace. To choose one, open this link before {{.Expires.Format "15:04 on 2 January 2006"}} (UTC):

{{.Link}}

The link works once. If you did not ask, ignore this e-mail: your password stays as it is.

---

{{with .Name}}Helo {{.}},{{else}}Helo,{{end}}

Gofynnodd rhywun am ddewis cyfrinair newydd i'ch cyfrif ar y farchnad gydweithredol. I ddewis un, agorwch y ddolen hon cyn {{.Expires.Format "15:04, 2/1/2006"}} (UTC):

{{.Link}}

Mae'r ddolen yn gweithio unwaith. Os na wnaethoch chi ofyn, anwybyddwch yr e-bost hwn: mae eich cyfrinair yn aros fel y mae.
`)

var resetHTML = mustHTML("reset-html", `<p>{{with .Name}}Hello {{.}},{{else}}Hello,{{end}}</p>
<p>Someone asked to choose a new password for your account on the co-operative marketplace. To choose one, open this link before {{.Expires.Format "15:04 on 2 January 2006"}} (UTC):</p>
<p><a href="{{.Link}}">Choose a new password</a></p>
<p>The link works once. If you did not ask, ignore this e-mail: your password stays as it is.</p>
<hr>
<p lang="cy">{{with .Name}}Helo {{.}},{{else}}Helo,{{end}}</p>
<p lang="cy">Gofynnodd rhywun am ddewis cyfrinair newydd i'ch cyfrif ar y farchnad gydweithredol. I ddewis un, agorwch y ddolen hon cyn {{.Expires.Format "15:04, 2/1/2006"}} (UTC):</p>
<p lang="cy"><a href="{{.Link}}">Dewis cyfrinair newydd</a></p>
<p lang="cy">Mae'r ddolen yn gweithio unwaith. Os na wnaethoch chi ofyn, anwybyddwch yr e-bost hwn: mae eich cyfrinair yn aros fel y mae.</p>
`)

// resetSubject is the subject of a reset mail, in both languages.
const resetSubject = "Choose a new password / Dewis cyfrinair newydd"
