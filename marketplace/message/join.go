package message

import (
	"html/template"
	texttemplate "text/template"

	"cooptrade/marketplace"
)

// joinWords are the words of one mail about getting in, in one language:
// the subject and plain text are text templates (nothing escaped), the
// HTML part an HTML template wrapped in an element carrying its lang.
type joinWords struct {
	subject, text *texttemplate.Template
	html          *template.Template
}

func newJoinWords(name, subject, text, html string) joinWords {
	return joinWords{subject: mustText(name+"-subject", subject), text: mustText(name+"-text", text), html: mustHTML(name+"-html", html)}
}

// writeJoin words the mails of applying to join and invitations, in the
// language each carries (English unless it is "cy"). ok is false for any
// other message.
func writeJoin(m marketplace.Message) (w marketplace.Written, ok bool, err error) {
	var words map[string]joinWords
	var lang string
	switch m := m.(type) {
	case marketplace.InvitationMessage:
		words, lang = invitationWords, m.Lang
	case marketplace.ApplicationConfirmMessage:
		words, lang = confirmWords, m.Lang
	case marketplace.ApplicationDecisionMessage:
		words, lang = admittedWords, m.Lang
		if !m.Admitted {
			words = refusedWords
		}
	default:
		return w, false, nil
	}
	jw, found := words[lang]
	if !found {
		jw = words["en"]
	}
	if w.Subject, err = execute(jw.subject, m); err != nil {
		return w, true, err
	}
	w.Subject = marketplace.Truncate(w.Subject, maxSubject)
	if w.Text, err = execute(jw.text, m); err != nil {
		return w, true, err
	}
	w.HTML, err = execute(jw.html, m)
	return w, true, err
}

var invitationWords = map[string]joinWords{
	"en": newJoinWords("invitation-en",
		`An invitation from {{.Member}} to the co-operative marketplace`,
		`Hello,

{{.Member}} invites you to use the co-operative marketplace as one of its {{if eq .Role "owner"}}owners{{else}}editors{{end}}. To accept, open this link before {{.Expires.Format "15:04 on 2 January 2006"}} (UTC) and choose a password:

{{.Link}}

The link works once. If you did not expect this invitation, ignore this e-mail.
`,
		`<div lang="en">
<p>Hello,</p>
<p>{{.Member}} invites you to use the co-operative marketplace as one of its {{if eq .Role "owner"}}owners{{else}}editors{{end}}. To accept, open this link before {{.Expires.Format "15:04 on 2 January 2006"}} (UTC) and choose a password:</p>
<p><a href="{{.Link}}">Accept the invitation</a></p>
<p>The link works once. If you did not expect this invitation, ignore this e-mail.</p>
</div>
`),
	"cy": newJoinWords("invitation-cy",
		`Gwahoddiad gan {{.Member}} i'r farchnad gydweithredol`,
		`Helo,

Mae {{.Member}} yn eich gwahodd i ddefnyddio'r farchnad gydweithredol fel un o'i {{if eq .Role "owner"}}berchnogion{{else}}olygyddion{{end}}. I dderbyn, agorwch y ddolen hon cyn {{.Expires.Format "15:04, 2/1/2006"}} (UTC) a dewiswch gyfrinair:

{{.Link}}

Mae'r ddolen yn gweithio unwaith. Os nad oeddech chi'n disgwyl y gwahoddiad hwn, anwybyddwch yr e-bost hwn.
`,
		`<div lang="cy">
<p>Helo,</p>
<p>Mae {{.Member}} yn eich gwahodd i ddefnyddio'r farchnad gydweithredol fel un o'i {{if eq .Role "owner"}}berchnogion{{else}}olygyddion{{end}}. I dderbyn, agorwch y ddolen hon cyn {{.Expires.Format "15:04, 2/1/2006"}} (UTC) a dewiswch gyfrinair:</p>
<p><a href="{{.Link}}">Derbyn y gwahoddiad</a></p>
<p>Mae'r ddolen yn gweithio unwaith. Os nad oeddech chi'n disgwyl y gwahoddiad hwn, anwybyddwch yr e-bost hwn.</p>
</div>
`),
}

var confirmWords = map[string]joinWords{
	"en": newJoinWords("confirm-en",
		`Confirm your application to join the federation`,
		`Hello {{.Name}},

Thank you for applying for {{.Member}} to join the federation. To confirm that this address is yours, open this link before {{.Expires.Format "15:04 on 2 January 2006"}} (UTC):

{{.Link}}

Federation staff see your application once you have confirmed it, and will write to you with their decision. If you did not apply, ignore this e-mail: nothing more will happen.
`,
		`<div lang="en">
<p>Hello {{.Name}},</p>
<p>Thank you for applying for {{.Member}} to join the federation. To confirm that this address is yours, open this link before {{.Expires.Format "15:04 on 2 January 2006"}} (UTC):</p>
<p><a href="{{.Link}}">Confirm the application</a></p>
<p>Federation staff see your application once you have confirmed it, and will write to you with their decision. If you did not apply, ignore this e-mail: nothing more will happen.</p>
</div>
`),
	"cy": newJoinWords("confirm-cy",
		`Cadarnhewch eich cais i ymuno â'r ffederasiwn`,
		`Helo {{.Name}},

Diolch am wneud cais i {{.Member}} ymuno â'r ffederasiwn. I gadarnhau mai chi biau'r cyfeiriad hwn, agorwch y ddolen hon cyn {{.Expires.Format "15:04, 2/1/2006"}} (UTC):

{{.Link}}

Bydd staff y ffederasiwn yn gweld eich cais ar ôl i chi ei gadarnhau, a byddan nhw'n ysgrifennu atoch gyda'u penderfyniad. Os na wnaethoch chi gais, anwybyddwch yr e-bost hwn: ni fydd dim byd arall yn digwydd.
`,
		`<div lang="cy">
<p>Helo {{.Name}},</p>
<p>Diolch am wneud cais i {{.Member}} ymuno â'r ffederasiwn. I gadarnhau mai chi biau'r cyfeiriad hwn, agorwch y ddolen hon cyn {{.Expires.Format "15:04, 2/1/2006"}} (UTC):</p>
<p><a href="{{.Link}}">Cadarnhau'r cais</a></p>
<p>Bydd staff y ffederasiwn yn gweld eich cais ar ôl i chi ei gadarnhau, a byddan nhw'n ysgrifennu atoch gyda'u penderfyniad. Os na wnaethoch chi gais, anwybyddwch yr e-bost hwn: ni fydd dim byd arall yn digwydd.</p>
</div>
`),
}

var admittedWords = map[string]joinWords{
	"en": newJoinWords("admitted-en",
		`Welcome to the federation: {{.Member}} is admitted`,
		`Hello {{.Name}},

Federation staff have admitted {{.Member}} as a member.{{with .Note}} Their note:

{{.}}
{{end}}

Another e-mail brings you an invitation to become its first owner on the marketplace: open its link to choose your password.
`,
		`<div lang="en">
<p>Hello {{.Name}},</p>
<p>Federation staff have admitted {{.Member}} as a member.</p>
{{with .Note}}<p>Their note:</p>
<blockquote>{{.}}</blockquote>
{{end}}<p>Another e-mail brings you an invitation to become its first owner on the marketplace: open its link to choose your password.</p>
</div>
`),
	"cy": newJoinWords("admitted-cy",
		`Croeso i'r ffederasiwn: mae {{.Member}} wedi'i dderbyn`,
		`Helo {{.Name}},

Mae staff y ffederasiwn wedi derbyn {{.Member}} yn aelod.{{with .Note}} Eu nodyn:

{{.}}
{{end}}

Mae e-bost arall yn dod â gwahoddiad i chi fod yn berchennog cyntaf iddo ar y farchnad: agorwch ei ddolen i ddewis eich cyfrinair.
`,
		`<div lang="cy">
<p>Helo {{.Name}},</p>
<p>Mae staff y ffederasiwn wedi derbyn {{.Member}} yn aelod.</p>
{{with .Note}}<p>Eu nodyn:</p>
<blockquote>{{.}}</blockquote>
{{end}}<p>Mae e-bost arall yn dod â gwahoddiad i chi fod yn berchennog cyntaf iddo ar y farchnad: agorwch ei ddolen i ddewis eich cyfrinair.</p>
</div>
`),
}

var refusedWords = map[string]joinWords{
	"en": newJoinWords("refused-en",
		`Your application to join the federation`,
		`Hello {{.Name}},

Federation staff have considered the application of {{.Member}} and cannot admit it as a member at present. Their note:

{{.Note}}

You may reply to federation staff, or apply again when things change.
`,
		`<div lang="en">
<p>Hello {{.Name}},</p>
<p>Federation staff have considered the application of {{.Member}} and cannot admit it as a member at present. Their note:</p>
<blockquote>{{.Note}}</blockquote>
<p>You may reply to federation staff, or apply again when things change.</p>
</div>
`),
	"cy": newJoinWords("refused-cy",
		`Eich cais i ymuno â'r ffederasiwn`,
		`Helo {{.Name}},

Mae staff y ffederasiwn wedi ystyried cais {{.Member}} ac nid ydyn nhw'n gallu ei dderbyn yn aelod ar hyn o bryd. Eu nodyn:

{{.Note}}

Gallwch ateb staff y ffederasiwn, neu wneud cais eto pan fydd pethau'n newid.
`,
		`<div lang="cy">
<p>Helo {{.Name}},</p>
<p>Mae staff y ffederasiwn wedi ystyried cais {{.Member}} ac nid ydyn nhw'n gallu ei dderbyn yn aelod ar hyn o bryd. Eu nodyn:</p>
<blockquote>{{.Note}}</blockquote>
<p>Gallwch ateb staff y ffederasiwn, neu wneud cais eto pan fydd pethau'n newid.</p>
</div>
`),
}
