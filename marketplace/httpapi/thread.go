package httpapi

import (
	"bytes"
	"crypto/subtle"
	"strings"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// threadView is a thread as one of its parties sees it, with the side it
// takes.
type threadView struct {
	*marketplace.Thread
	Side marketplace.Side `json:"side"`
}

// threadList is a page of the signed-in user's threads.
type threadList struct {
	Items      []*marketplace.Thread `json:"items"`
	NextCursor string                `json:"next_cursor,omitempty"`
}

// messageInput is a message to a thread; Token is the link's token of a
// member of the public, who has no account.
type messageInput struct {
	Body  string `json:"body"`
	Token string `json:"token"`
}

// confirmInput is the token of an enquiry's confirmation link.
type confirmInput struct {
	Token string `json:"token"`
}

func (s *Server) handleEnquiryCreate(c *fiber.Ctx) error {
	var in marketplace.EnquiryInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	t, err := s.service.StartEnquiry(c.UserContext(), param(c, "id"), in)
	if err != nil {
		return err
	}
	c.Location("/v1/threads/" + t.ID)
	return c.Status(fiber.StatusCreated).JSON(threadView{Thread: t, Side: marketplace.SideBuyer})
}

func (s *Server) handleEnquiryConfirm(c *fiber.Ctx) error {
	var in confirmInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	t, err := s.service.ConfirmEnquiry(c.UserContext(), param(c, "id"), in.Token)
	if err != nil {
		return err
	}
	return c.JSON(threadView{Thread: t, Side: marketplace.SideBuyer})
}

func (s *Server) handleThreadList(c *fiber.Ctx) error {
	limit, err := limitParam(c)
	if err != nil {
		return err
	}
	ts, next, err := s.service.FindMyThreadPage(c.UserContext(), query(c, "cursor"), limit)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []*marketplace.Thread{}
	}
	return c.JSON(threadList{Items: ts, NextCursor: next})
}

func (s *Server) handleThreadView(c *fiber.Ctx) error {
	t, side, err := s.service.FindThread(c.UserContext(), param(c, "id"), query(c, "token"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(threadView{Thread: t, Side: side})
}

func (s *Server) handleThreadPost(c *fiber.Ctx) error {
	var in messageInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	_, msg, err := s.service.PostThreadMessage(c.UserContext(), param(c, "id"), in.Token, in.Body)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(msg)
}

// inboundReceipt says what became of a reply by mail.
type inboundReceipt struct {
	ThreadID string `json:"thread_id"`
	Added    bool   `json:"added"`
}

// handleInboundMail takes a reply by mail that the mail relay posts raw
// (message/rfc822), with the shared secret as its bearer token. It comes
// before the /v1 group: the token is not a user's.
func (s *Server) handleInboundMail(c *fiber.Ctx) error {
	if s.cfg.InboundMailSecret == "" {
		return marketplace.Errorf(marketplace.EUNAVAILABLE, "Replies by mail are not taken: INBOUND_MAIL_SECRET is not set.")
	}
	scheme, token, _ := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
	if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.cfg.InboundMailSecret)) != 1 {
		return marketplace.Errorf(marketplace.EUNAUTHORIZED, "Send the inbound mail secret as \"Authorization: Bearer <secret>\".")
	}
	if len(c.Body()) > marketplace.MaxInboundMail {
		return &httpError{code: codeTooLarge, detail: "The mail is larger than this service accepts."}
	}
	t, added, err := s.service.ReceiveReplyMail(c.UserContext(), bytes.Clone(c.Body()))
	if err != nil {
		return err
	}
	return c.JSON(inboundReceipt{ThreadID: t.ID, Added: added})
}

// reportInput is why someone reports a message.
type reportInput struct {
	Reason string `json:"reason"`
	Token  string `json:"token"`
}

// hideInput is staff's note on hiding a message, and whether its sender is
// suspended.
type hideInput struct {
	Note          string `json:"note"`
	SuspendSender bool   `json:"suspend_sender"`
}

// reportedList is the threads with a report, for staff.
type reportedList struct {
	Items []*marketplace.ReportedThread `json:"items"`
}

func (s *Server) handleMessageReport(c *fiber.Ctx) error {
	var in reportInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	if err := s.service.ReportMessage(c.UserContext(), param(c, "id"), param(c, "message"), in.Token, in.Reason); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handleStaffThreads(c *fiber.Ctx) error {
	ts, err := s.service.FindReportedThreads(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(reportedList{Items: ts})
}

func (s *Server) handleStaffThread(c *fiber.Ctx) error {
	t, err := s.service.FindReportedThread(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(t)
}

func (s *Server) handleMessageHide(c *fiber.Ctx) error {
	var in hideInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	t, err := s.service.ModerateMessage(c.UserContext(), param(c, "id"), param(c, "message"), in.Note, in.SuspendSender)
	if err != nil {
		return err
	}
	return c.JSON(t)
}
