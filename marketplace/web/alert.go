package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// alertsData lists the user's saved searches.
type alertsData struct {
	Alerts      []*marketplace.Alert
	Off         bool
	Frequencies []marketplace.AlertFrequency
}

// handleAlerts lists the signed-in user's saved searches.
func (s *Server) handleAlerts(c *fiber.Ctx) error {
	p := s.page(c, "alerts.title", "alerts.desc")
	p.Section = "dashboard"
	d := &alertsData{Frequencies: marketplace.AlertFrequencies}
	p.Data = d
	alerts, err := s.service.FindMyAlerts(c.UserContext())
	switch marketplace.ErrorCode(err) {
	case "":
		d.Alerts = alerts
	case marketplace.EUNAVAILABLE:
		d.Off = true
	default:
		return s.renderError(c, err)
	}
	return s.render(c, fiber.StatusOK, "alerts", p)
}

// handleAlertCreate saves the search of the search page as an alert.
func (s *Server) handleAlertCreate(c *fiber.Ctx) error {
	in := marketplace.NewAlert{
		Name:      form(c, "name"),
		Query:     form(c, "query"),
		Frequency: marketplace.AlertFrequency(form(c, "frequency")),
	}
	_, err := s.service.CreateAlert(c.UserContext(), in)
	switch marketplace.ErrorCode(err) {
	case "":
		return seeOther(c, "/alerts?done=alert_saved")
	case marketplace.EINVALID, marketplace.ECONFLICT:
		p := s.page(c, "alerts.title", "alerts.desc")
		p.Section = "dashboard"
		// The form is on the search page; here the problem is told in a
		// sentence.
		f := p.Form
		switch {
		case marketplace.ErrorCode(err) == marketplace.ECONFLICT:
			f.Problem = "alerts.error.too_many"
		case len(marketplace.ErrorFields(err)) > 0 && marketplace.ErrorFields(err)[0].Field == "name":
			f.Problem = "alerts.error.name"
		default:
			f.Problem = "alerts.error.query"
		}
		alerts, _ := s.service.FindMyAlerts(c.UserContext())
		p.Data = &alertsData{Alerts: alerts, Frequencies: marketplace.AlertFrequencies}
		return s.render(c, fiber.StatusUnprocessableEntity, "alerts", p)
	}
	return s.renderError(c, err)
}

// handleAlertPause pauses or resumes an alert.
func (s *Server) handleAlertPause(paused bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		version, _ := strconv.ParseInt(form(c, "version"), 10, 64)
		_, err := s.service.UpdateAlert(c.UserContext(), param(c, "id"), version, marketplace.AlertUpdate{Paused: &paused})
		if marketplace.ErrorCode(err) == marketplace.EPRECONDITION {
			return seeOther(c, "/alerts?done=changed")
		} else if err != nil {
			return s.renderError(c, err)
		}
		if paused {
			return seeOther(c, "/alerts?done=alert_paused")
		}
		return seeOther(c, "/alerts?done=alert_resumed")
	}
}

// handleAlertDelete deletes an alert.
func (s *Server) handleAlertDelete(c *fiber.Ctx) error {
	if err := s.service.DeleteAlert(c.UserContext(), param(c, "id")); err != nil {
		return s.renderError(c, err)
	}
	return seeOther(c, "/alerts?done=alert_deleted")
}
