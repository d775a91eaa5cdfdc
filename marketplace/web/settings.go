package web

import (
	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// prefChannels are the channels users choose for themselves; webhooks are
// set for the whole member.
var prefChannels = []marketplace.Channel{marketplace.ChannelInbox, marketplace.ChannelEmail}

// preferencesData is the grid of notification types and channels.
type preferencesData struct {
	Types    []string
	Channels []marketplace.Channel
	Off      bool
}

// handlePreferences shows what the signed-in user hears about, and how.
func (s *Server) handlePreferences(c *fiber.Ctx) error {
	p := s.page(c, "prefs.title", "prefs.desc")
	p.Section = "dashboard"
	d := &preferencesData{Types: marketplace.NotificationTypes, Channels: prefChannels}
	p.Data = d
	if s.service.Preferences == nil {
		d.Off = true
		return s.render(c, fiber.StatusOK, "preferences", p)
	}
	prefs, err := s.service.MyPreferences(c.UserContext())
	if err != nil {
		return s.renderError(c, err)
	}
	for typ, chs := range prefs {
		for ch, on := range chs {
			if on {
				p.Form.Multi["pref"] = append(p.Form.Multi["pref"], typ+"|"+string(ch))
			}
		}
	}
	return s.render(c, fiber.StatusOK, "preferences", p)
}

// handlePreferencesSave saves the grid: a box ticked turns the type on for
// the channel, a box left empty turns it off.
func (s *Server) handlePreferencesSave(c *fiber.Ctx) error {
	if s.service.Preferences == nil {
		return s.renderError(c, marketplace.Errorf(marketplace.EUNAVAILABLE, "Preferences are not kept here."))
	}
	ticked := map[string]bool{}
	for _, v := range c.Request().PostArgs().PeekMulti("pref") {
		ticked[string(v)] = true
	}
	for _, typ := range marketplace.NotificationTypes {
		for _, ch := range prefChannels {
			if err := s.service.SetMyPreference(c.UserContext(), typ, ch, ticked[typ+"|"+string(ch)]); err != nil {
				return s.renderError(c, err)
			}
		}
	}
	return seeOther(c, "/settings/notifications?done=prefs_saved")
}

// webhookData is the member's webhook, and the secret of a new one (shown
// once).
type webhookData struct {
	Target *marketplace.WebhookTarget
	Secret string
	Types  []string
	Off    bool
	Owner  bool
}

// handleWebhook shows the member's webhook to its owners.
func (s *Server) handleWebhook(c *fiber.Ctx) error {
	p := s.page(c, "webhook.title", "webhook.desc")
	p.Section = "dashboard"
	d, err := s.webhookData(c)
	if err != nil {
		return s.renderError(c, err)
	}
	if d.Target != nil {
		p.Form.Values["url"] = d.Target.URL
		p.Form.Multi["types"] = d.Target.Types
	}
	p.Data = d
	return s.render(c, fiber.StatusOK, "webhook", p)
}

func (s *Server) webhookData(c *fiber.Ctx) (*webhookData, error) {
	me := visitOf(c).User
	d := &webhookData{Types: marketplace.NotificationTypes, Owner: me.IsOwnerOf(me.MemberID)}
	if !d.Owner {
		return d, nil
	}
	t, err := s.service.FindWebhookTarget(c.UserContext(), me.MemberID)
	switch marketplace.ErrorCode(err) {
	case "":
		d.Target = t
	case marketplace.ENOTFOUND:
	case marketplace.EUNAVAILABLE:
		d.Off = true
	default:
		return nil, err
	}
	if s.service.WebhookURLs == nil {
		d.Off = true
	}
	return d, nil
}

// handleWebhookSave registers or changes the member's webhook; a new
// secret is shown once, on the page that answers.
func (s *Server) handleWebhookSave(c *fiber.Ctx) error {
	me := visitOf(c).User
	in := marketplace.WebhookInput{URL: form(c, "url"), RotateSecret: form(c, "rotate") != ""}
	for _, t := range c.Request().PostArgs().PeekMulti("types") {
		in.Types = append(in.Types, string(t))
	}
	t, err := s.service.SetWebhookTarget(c.UserContext(), me.MemberID, in)
	p := s.page(c, "webhook.title", "webhook.desc")
	p.Section = "dashboard"
	p.Form.Values["url"], p.Form.Multi["types"] = in.URL, in.Types
	switch marketplace.ErrorCode(err) {
	case "":
		d, err := s.webhookData(c)
		if err != nil {
			return s.renderError(c, err)
		}
		d.Secret = t.Secret
		p.Data = d
		p.Flash = p.T("done.webhook_saved")
		return s.render(c, fiber.StatusOK, "webhook", p)
	case marketplace.EINVALID:
		addDomainErrors(p.Form, err)
		p.Form.Labels = map[string]string{"url": "webhook.field.url", "types": "webhook.field.types"}
		d, derr := s.webhookData(c)
		if derr != nil {
			return s.renderError(c, derr)
		}
		p.Data = d
		return s.render(c, fiber.StatusUnprocessableEntity, "webhook", p)
	}
	return s.renderError(c, err)
}

// handleWebhookDelete removes the member's webhook.
func (s *Server) handleWebhookDelete(c *fiber.Ctx) error {
	me := visitOf(c).User
	err := s.service.DeleteWebhookTarget(c.UserContext(), me.MemberID)
	if err != nil && marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		return s.renderError(c, err)
	}
	return seeOther(c, "/settings/webhook?done=webhook_deleted")
}
