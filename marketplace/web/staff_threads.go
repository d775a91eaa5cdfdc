package web

import (
	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// staffThreadsData is the reported threads, or one of them.
type staffThreadsData struct {
	Threads []*marketplace.ReportedThread
	Thread  *marketplace.ReportedThread
}

// handleStaffThreads lists the threads with a reported message.
func (s *Server) handleStaffThreads(c *fiber.Ctx) error {
	ts, err := s.service.FindReportedThreads(c.UserContext())
	if err != nil {
		return s.renderError(c, err)
	}
	p := s.staffPage(c, "staff.threads.title", "")
	p.Data = &staffThreadsData{Threads: ts}
	return s.render(c, fiber.StatusOK, "staff_threads", p)
}

// handleStaffThread shows a reported thread with its reports, and the
// forms that hide a message.
func (s *Server) handleStaffThread(c *fiber.Ctx) error {
	t, err := s.service.FindReportedThread(c.UserContext(), param(c, "id"))
	if err != nil {
		return s.renderError(c, err)
	}
	p := s.staffPage(c, "staff.threads.title", "")
	p.Data = &staffThreadsData{Thread: t}
	return s.render(c, fiber.StatusOK, "staff_threads", p)
}

// handleStaffMessageHide hides a message, and suspends its sender when
// asked.
func (s *Server) handleStaffMessageHide(c *fiber.Ctx) error {
	id := param(c, "id")
	_, err := s.service.ModerateMessage(c.UserContext(), id, param(c, "message"), form(c, "note"), form(c, "suspend_sender") != "")
	switch marketplace.ErrorCode(err) {
	case "":
		return seeOther(c, "/staff/threads/"+id+"?done=message_hidden")
	case marketplace.EINVALID:
		return seeOther(c, "/staff/threads/"+id+"?done=moderation_note")
	}
	return s.renderError(c, err)
}

// handleMessageReport reports a message to staff from its thread's page.
func (s *Server) handleMessageReport(c *fiber.Ctx) error {
	id, token := param(c, "id"), form(c, "token")
	err := s.service.ReportMessage(c.UserContext(), id, param(c, "message"), token, form(c, "reason"))
	switch marketplace.ErrorCode(err) {
	case "":
		return seeOther(c, threadPath(id, token)+"&done=message_reported")
	case marketplace.EINVALID:
		return seeOther(c, threadPath(id, token)+"&done=report_reason")
	}
	return s.renderError(c, err)
}
