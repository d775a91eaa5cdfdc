package web

import (
	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// staffJoinData is what the staff's queue of applications to join shows.
type staffJoinData struct {
	Applications []*marketplace.JoinApplication
	// Failed is the application whose decision the form's errors are
	// about.
	Failed string
}

// handleStaffJoin lists the confirmed applications to join, oldest first,
// each with forms to admit or refuse it.
func (s *Server) handleStaffJoin(c *fiber.Ctx) error {
	return s.renderStaffJoin(c, fiber.StatusOK, nil, "")
}

func (s *Server) renderStaffJoin(c *fiber.Ctx, status int, f *Form, failed string) error {
	p := s.page(c, "staff.join.title", "staff.join.desc")
	p.Section = "staff"
	if f != nil {
		p.Form = f
	}
	apps, err := s.service.FindJoinApplications(c.UserContext())
	if err != nil {
		return s.renderError(c, err)
	}
	p.Data = &staffJoinData{Applications: apps, Failed: failed}
	return s.render(c, status, "staff_join", p)
}

// handleStaffJoinDecide admits or refuses an application with a note.
func (s *Server) handleStaffJoinDecide(admit bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id := param(c, "id")
		d := marketplace.ApplicationDecision{Note: form(c, "note")}
		var err error
		done := "join_admitted"
		if admit {
			_, err = s.service.AdmitApplication(c.UserContext(), id, d)
		} else {
			done = "join_refused"
			_, err = s.service.RefuseApplication(c.UserContext(), id, d)
		}
		switch marketplace.ErrorCode(err) {
		case "":
			return seeOther(c, withDone("/staff/join", nil, done, ""))
		case marketplace.EINVALID:
			f := newForm()
			f.Labels = map[string]string{"note": "staff.join.field.note"}
			f.Values["note"] = d.Note
			for _, fe := range marketplace.ErrorFields(err) {
				if fe.Field == "note" && fe.Rule == marketplace.RuleRequired {
					f.add("note", "staff.join.error.note")
					continue
				}
				key, args := fieldMessage(fe.Field, fe)
				f.add(fe.Field, key, args...)
			}
			return s.renderStaffJoin(c, fiber.StatusUnprocessableEntity, f, id)
		case marketplace.ECONFLICT:
			return seeOther(c, withDone("/staff/join", nil, "join_conflict", ""))
		default:
			return s.renderError(c, err)
		}
	}
}
