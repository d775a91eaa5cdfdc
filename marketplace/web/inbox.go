package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// inboxData is a page of the signed-in user's inbox.
type inboxData struct {
	Items  []*marketplace.Notification
	Next   string
	Unread bool
	Off    bool
}

// handleInbox lists the user's inbox, newest first; ?unread=1 keeps the
// unread items only.
func (s *Server) handleInbox(c *fiber.Ctx) error {
	p := s.page(c, "inbox.title", "inbox.desc")
	p.Section = "inbox"
	d := &inboxData{Unread: query(c, "unread") == "1"}
	p.Data = d
	if s.service.Notifications == nil {
		d.Off = true
		return s.render(c, fiber.StatusOK, "inbox", p)
	}
	items, next, err := s.service.FindInbox(c.UserContext(), d.Unread, query(c, "cursor"), 20)
	if err != nil {
		return s.renderError(c, err)
	}
	d.Items = items
	if next != "" {
		d.Next = "/inbox?cursor=" + next
		if d.Unread {
			d.Next += "&unread=1"
		}
	}
	return s.render(c, fiber.StatusOK, "inbox", p)
}

// handleInboxRead marks one of the user's inbox items read.
func (s *Server) handleInboxRead(c *fiber.Ctx) error {
	if s.service.Notifications == nil {
		return s.renderError(c, marketplace.Errorf(marketplace.ENOTFOUND, "No such inbox item."))
	}
	if err := s.service.MarkRead(c.UserContext(), param(c, "id")); err != nil {
		return s.renderError(c, err)
	}
	back := "/inbox?done=read"
	if form(c, "from") == "dashboard" {
		back = "/dashboard?done=read#inbox"
	}
	return seeOther(c, back)
}

// LocalLink returns a link of a notification as an address on this
// service when it is one (notifications carry absolute links, for mail).
func (p *Page) LocalLink(link string) string {
	base := p.v.s.base.String()
	switch {
	case strings.HasPrefix(link, base+"/"):
		return strings.TrimPrefix(link, base)
	case strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "//"):
		return link
	}
	return ""
}
