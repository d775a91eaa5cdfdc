package payments

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cooptrade/marketplace"
)

// JobFunc handles a job's payload.
type JobFunc func(ctx context.Context, payload []byte) error

// JobHandlers returns the handler of each of payments' job types, for the
// workers to register.
func (s *Service) JobHandlers() map[string]JobFunc {
	return map[string]JobFunc{
		TypeStripeEvent:     s.HandleStripeEvent,
		TypeStripeReconcile: s.HandleStripeReconcile,
		TypeDuesLapse:       s.HandleDuesLapse,
		TypeDuesRemind:      s.HandleDuesRemind,
	}
}

// batch bounds one run of a periodic job; what is left waits for the next.
const batch = 5000

// HandleDuesLapse moves every member whose standing the clock has changed
// (a TypeDuesLapse job): past_due to lapsed once the grace period after
// the failed payment is over, and members whose waiver or offline payment
// has ended to what their payments make them. A lapsed member's listings
// leave search, as with any change of standing.
func (s *Service) HandleDuesLapse(ctx context.Context, _ []byte) error {
	now := s.now()
	accounts, err := s.Accounts.FindAccountsToReview(ctx, now, batch)
	if err != nil {
		return err
	}
	var errs []error
	for _, a := range accounts {
		errs = append(errs, s.review(ctx, a, now))
	}
	return errors.Join(errs...)
}

// review settles one account whose review time has come, then sets its
// next review. A failure leaves the review time as it was, for the next
// run.
func (s *Service) review(ctx context.Context, a *Account, now time.Time) error {
	m, err := s.member(ctx, a.MemberID)
	if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
		s.logger().WarnContext(ctx, "a dues account's member does not exist", "member", a.MemberID)
	} else if err != nil {
		return err
	} else if _, err := s.settle(systemContext(ctx), m, a, s.reviewReason(a, now)); err != nil {
		return fmt.Errorf("payments: review member %s: %w", a.MemberID, err)
	}
	_, err = s.updateAccount(ctx, a.MemberID, func(a *Account) (bool, error) {
		before := a.ReviewAt
		a.Refresh(now, s.grace())
		return !a.ReviewAt.Equal(before), nil
	})
	return err
}

// reviewReason says, for the audit log, why the clock changed a standing.
func (s *Service) reviewReason(a *Account, now time.Time) string {
	var why []string
	if l := a.LapsesAt(s.grace()); !l.IsZero() && !now.Before(l) {
		why = append(why, fmt.Sprintf("the grace period of %d days after the payment that failed on %s is over",
			int(s.grace().Hours()/24), a.PastDueSince.Format(time.DateOnly)))
	}
	if !a.WaiverUntil.IsZero() && !now.Before(a.WaiverUntil) {
		why = append(why, "the waiver ended on "+a.WaiverUntil.Format(time.DateOnly))
	}
	if !a.OfflinePaidThrough.IsZero() && !now.Before(a.OfflinePaidThrough) {
		why = append(why, "the period paid offline ended on "+a.OfflinePaidThrough.Format(time.DateOnly))
	}
	if len(why) == 0 {
		return "dues review"
	}
	return strings.Join(why, "; ")
}

// HandleStripeReconcile queues again every stored event not yet applied
// (a TypeStripeReconcile job). An event whose job still waits is not
// queued twice (its job ID is its event ID), and one applied meanwhile is
// left alone by its job, so no event is too fresh for it: at a start that
// follows a crash, the events received just before are the ones most
// likely lost.
func (s *Service) HandleStripeReconcile(ctx context.Context, _ []byte) error {
	events, err := s.Events.FindUnappliedEvents(ctx, s.now(), batch)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range events {
		errs = append(errs, s.enqueueEvent(ctx, e.ID))
	}
	if len(events) > 0 {
		s.logger().InfoContext(ctx, "queued Stripe events again", "events", len(events))
	}
	return errors.Join(errs...)
}

// HandleDuesRemind reminds each member in good standing whose renewal
// comes within RemindBefore of it, once per renewal (a TypeDuesRemind
// job): the date, the amount, and whether the year's labour costs are
// still to be declared. The reminder goes to the member's address and its
// owners.
func (s *Service) HandleDuesRemind(ctx context.Context, _ []byte) error {
	now := s.now()
	accounts, err := s.Accounts.FindAccountsRenewing(ctx, now, now.Add(s.remindBefore()), batch)
	if err != nil {
		return err
	}
	var errs []error
	for _, a := range accounts {
		if a.RemindedFor.Equal(a.RenewsAt) {
			continue
		}
		errs = append(errs, s.remind(ctx, a))
	}
	return errors.Join(errs...)
}

func (s *Service) remind(ctx context.Context, a *Account) error {
	m, err := s.member(ctx, a.MemberID)
	if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if m.Kind != marketplace.MemberEnterprise || !(m.Standing == marketplace.StandingActive || m.Standing == marketplace.StandingPastDue) {
		return nil
	}
	renewal := a.RenewsAt
	// Claim the reminder first, so that two runs send it once; give the
	// claim back if it cannot be sent.
	claimed := false
	if _, err := s.updateAccount(ctx, a.MemberID, func(a *Account) (bool, error) {
		if a.RemindedFor.Equal(renewal) {
			return false, nil
		}
		a.RemindedFor, claimed = renewal, true
		return true, nil
	}); err != nil || !claimed {
		return err
	}
	// Each owner reads the reminder in their language; the member's own
	// address gets the language most of its users read.
	users, err := s.Market.Users.FindUsersByMember(ctx, m.ID)
	if err != nil {
		users = nil // as ever, the member's own address is reminded all the same
	}
	to := map[string][]string{}
	var langs []string
	add := func(lang, addr string) {
		if _, ok := to[lang]; !ok {
			langs = append(langs, lang)
		}
		to[lang] = append(to[lang], addr)
	}
	memberLang := marketplace.MemberLang(users)
	for _, u := range users {
		if u.Email == m.Email {
			memberLang = u.Lang()
		}
	}
	add(memberLang, m.Email)
	for _, u := range users {
		if u.Role == marketplace.RoleOwner && u.Email != m.Email {
			add(u.Lang(), u.Email)
		}
	}
	if s.Mailer == nil {
		s.logger().InfoContext(ctx, "renewal reminder (no mailer)", "member", m.ID, "to", to)
		return nil
	}
	msg := s.reminder(m, a, renewal)
	var sendErr error
	for _, lang := range langs {
		w, err := s.Market.Messages.WriteMessage(msg, lang)
		if err == nil {
			err = s.Mailer.SendMail(ctx, to[lang], w)
		}
		if err != nil {
			sendErr = err
			break
		}
	}
	if err := sendErr; err != nil {
		_, uerr := s.updateAccount(ctx, a.MemberID, func(a *Account) (bool, error) {
			if !a.RemindedFor.Equal(renewal) {
				return false, nil
			}
			a.RemindedFor = time.Time{}
			return true, nil
		})
		return errors.Join(fmt.Errorf("payments: remind member %s: %w", m.ID, err), uerr)
	}
	return nil
}

// reminder is what the reminder of a renewal says: the date, the dues and
// whether the year's labour costs are still to be declared.
func (s *Service) reminder(m *marketplace.Member, a *Account, renewal time.Time) marketplace.DuesMessage {
	msg := marketplace.DuesMessage{Member: m.Name, RenewsAt: renewal, Year: renewal.Year(),
		DuesState: marketplace.DuesUndeclared, Automatic: a.Subscription.Live(), Link: s.BaseURL + "/dues"}
	if y, ok := a.DuesFor(s.Policy, m.Kind, renewal.Year()); ok {
		msg.DuesState = marketplace.DuesProvisional
		if y.Year == renewal.Year() {
			msg.DuesState = marketplace.DuesSet
		}
		msg.GrossPence, msg.NetPence, msg.VATPence = y.Dues.GrossPence, y.Dues.NetPence, y.Dues.VATPence
	}
	return msg
}
