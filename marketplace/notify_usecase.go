package marketplace

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"
)

// deliveryLease is how long a worker may hold a delivery before another
// may take it over, presuming the first died.
const deliveryLease = 10 * time.Minute

// notify stores a notification (once: its ID is its idempotency key) and,
// unless it is an inbox item, which is delivered by being stored, has it
// delivered.
func (s *Service) notify(ctx context.Context, n *Notification) error {
	now := s.now()
	n.CreatedAt = now
	if n.Channel == ChannelInbox {
		n.Status, n.SentAt = NotificationSent, &now
	} else {
		n.Status = NotificationPending
	}
	if _, err := s.Notifications.CreateNotification(ctx, n); err != nil {
		return err
	}
	if n.Channel == ChannelInbox {
		return nil
	}
	// Enqueued even when the notification existed: a job that died after
	// storing it may not have enqueued it. Delivery checks the status.
	return s.Queue.EnqueueDelivery(ctx, n.ID)
}

// DeliverNotification sends a stored e-mail or webhook notification, once.
// The delivery is claimed first, so two workers never send it both; a
// failure that retrying cannot cure, or the last attempt (final), records
// it as failed; any other failure returns the error so the job is retried.
func (s *Service) DeliverNotification(ctx context.Context, id string, final bool) error {
	n, err := s.Notifications.ClaimNotification(ctx, id, s.now(), deliveryLease)
	if err != nil || n == nil {
		return err
	}
	switch n.Channel {
	case ChannelEmail:
		err = s.Mailer.SendMail(ctx, Mail{Key: n.ID, To: n.To, Subject: n.Subject, Text: n.Text, HTML: n.HTML, Lang: n.Lang, Unsubscribe: n.Unsubscribe, ReplyTo: n.ReplyTo})
	case ChannelWebhook:
		err = s.Webhooks.SendWebhook(ctx, n)
	default:
		err = Errorf(EINVALID, "Notifications on channel %q are not delivered.", n.Channel)
	}
	done := s.now()
	switch {
	case err == nil:
		return s.Notifications.FinishNotification(ctx, id, NotificationSent, "", done)
	case ErrorCode(err) == EINVALID || final:
		s.logger().WarnContext(ctx, "notification failed for good", "notification", id, "error", err)
		return s.Notifications.FinishNotification(ctx, id, NotificationFailed, err.Error(), done)
	default:
		if ferr := s.Notifications.FinishNotification(ctx, id, NotificationPending, err.Error(), done); ferr != nil {
			s.logger().WarnContext(ctx, "cannot record a failed delivery", "notification", id, "error", ferr)
		}
		return err
	}
}

// FindUndelivered returns notifications made before the given time that
// are still to be delivered, for the reconciler.
func (s *Service) FindUndelivered(ctx context.Context, before time.Time, limit int) ([]*Notification, error) {
	return s.Notifications.FindUndelivered(ctx, before, limit)
}

// announceMatch tells both sides of a new match: an inbox item for each
// member, and an e-mail to each of its users who wants one.
func (s *Service) announceMatch(ctx context.Context, m *Match) error {
	offer, err := s.Listings.FindListingByID(ctx, m.OfferID)
	if err != nil {
		return err
	}
	need, err := s.Listings.FindListingByID(ctx, m.NeedID)
	if err != nil {
		return err
	}
	offerMember, err := s.Members.FindMemberByID(ctx, offer.MemberID)
	if err != nil {
		return err
	}
	needMember, err := s.Members.FindMemberByID(ctx, need.MemberID)
	if err != nil {
		return err
	}
	sides := []struct {
		member      *Member
		own, theirs *Listing
		theirMember *Member
		forNeed     bool
	}{
		{needMember, need, offer, offerMember, true},
		{offerMember, offer, need, needMember, false},
	}
	for _, side := range sides {
		msg := MatchMessage{
			Member: side.member.Name, ForNeed: side.forNeed, Own: side.own, Theirs: side.theirs,
			TheirMember: side.theirMember, Score: m.Score, Reasons: m.Reasons,
			Link: s.link("/listings/" + side.theirs.ID),
		}
		if err := s.notifyMember(ctx, side.member, NotifyMatchNew, "match:"+m.ID, msg,
			map[string]string{"match_id": m.ID, "listing_id": side.theirs.ID, "score": fmt.Sprintf("%.1f", m.Score)}); err != nil {
			return err
		}
	}
	return nil
}

// notifyMember sends one notification to a member: an inbox item, an
// e-mail to each of its users who wants this type by e-mail, and a webhook
// when the member has one and wants it. Each e-mail is in its user's
// language; the inbox item and the webhook are in the member's (MemberLang).
func (s *Service) notifyMember(ctx context.Context, m *Member, typ, about string, msg Message, data map[string]string) error {
	return s.notifyMemberMailing(ctx, m.ID, typ, about, msg, data, memberMailing{})
}

// memberMailing shapes the e-mails of a notification to a member, where a
// thread's differ from the rest.
type memberMailing struct {
	// wants says whether a user is mailed, beyond their preferences (nil:
	// as the preferences say).
	wants func(u *User, prefs Preferences) bool
	// replyTo is the address a user's replies go to (nil: none).
	replyTo func(u *User) (string, error)
}

// notifyMemberMailing is notifyMember with the member's e-mails shaped by
// mailing.
func (s *Service) notifyMemberMailing(ctx context.Context, memberID, typ, about string, msg Message, data map[string]string, mailing memberMailing) error {
	users, err := s.Users.FindUsersByMember(ctx, memberID)
	if err != nil {
		return err
	}
	written := map[string]Written{}
	write := func(lang string) (Written, error) {
		if w, ok := written[lang]; ok {
			return w, nil
		}
		w, err := s.Messages.WriteMessage(msg, lang)
		written[lang] = w
		return w, err
	}
	w, err := write(MemberLang(users))
	if err != nil {
		return err
	}
	subject, text, lang, link := w.Subject, w.Text, w.Lang, msg.MessageLink()
	if err := s.notify(ctx, &Notification{
		ID: NotificationKey(about, "member:"+memberID, ChannelInbox), Type: typ, Channel: ChannelInbox,
		MemberID: memberID, Subject: subject, Text: text, Lang: lang, Link: link, Data: data,
	}); err != nil {
		return err
	}
	for _, u := range users {
		prefs, err := s.Preferences.FindPreferences(ctx, u.ID)
		if err != nil {
			return err
		}
		wants := prefs.Wants(u, typ, ChannelEmail)
		if mailing.wants != nil {
			wants = mailing.wants(u, prefs)
		}
		if u.Suspended || !wants {
			continue // a suspended user is mailed nothing
		}
		var replyTo string
		if mailing.replyTo != nil {
			if replyTo, err = mailing.replyTo(u); err != nil {
				return err
			}
		}
		uw, err := write(u.Lang())
		if err != nil {
			return err
		}
		unsubscribe := s.unsubscribeLink(u.ID, "type:"+typ, uw.Lang)
		endText, endHTML := s.Messages.WriteUnsubscribe(unsubscribe, uw.Lang)
		if err := s.notify(ctx, &Notification{
			ID: NotificationKey(about, "user:"+u.ID, ChannelEmail), Type: typ, Channel: ChannelEmail,
			MemberID: memberID, UserID: u.ID, To: u.Email, Subject: uw.Subject, Text: uw.Text + endText, HTML: uw.HTML + endHTML,
			Lang: uw.Lang, Link: link, Unsubscribe: unsubscribe, ReplyTo: replyTo, Data: data,
		}); err != nil {
			return err
		}
	}
	target, err := s.WebhookTargets.FindWebhookTarget(ctx, memberID)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return err
	}
	if target != nil && target.Wants(typ) {
		if err := s.notify(ctx, &Notification{
			ID: NotificationKey(about, "member:"+memberID, ChannelWebhook), Type: typ, Channel: ChannelWebhook,
			MemberID: memberID, To: target.URL, Subject: subject, Text: text, Lang: lang, Link: link, Data: data,
		}); err != nil {
			return err
		}
	}
	return nil
}

// link makes an absolute link to a page of the service.
func (s *Service) link(path string) string {
	return strings.TrimRight(s.BaseURL, "/") + path
}

// MemberLang is the language of what is addressed to a member as a whole
// (its inbox items): the one most of its users read, English on a tie.
func MemberLang(users []*User) string {
	welsh := 0
	for _, u := range users {
		if u.Lang() == LangWelsh {
			welsh++
		}
	}
	if welsh*2 > len(users) {
		return LangWelsh
	}
	return LangEnglish
}

// unsubscribeLink makes the link that stops a subject's e-mails; its page
// is shown in the language of the mail.
func (s *Service) unsubscribeLink(userID, subject, lang string) string {
	return s.link("/unsubscribe?token=" + url.QueryEscape(UnsubscribeToken(s.Secret, userID, subject)) + "&lang=" + url.QueryEscape(lang))
}

// What an unsubscribe link stopped, as Unsubscribed.What says it.
const (
	UnsubscribedType      = "type"       // e-mails of one notification type
	UnsubscribedAlert     = "alert"      // a saved search, now paused
	UnsubscribedAlertGone = "alert_gone" // a saved search deleted before
)

// Unsubscribed says what an unsubscribe link stopped, for whoever words it
// (the API in English, the pages in each language).
type Unsubscribed struct {
	What string
	// Type is the notification type whose e-mails stop (UnsubscribedType).
	Type string
	// AlertName is the name of the saved search paused (UnsubscribedAlert).
	AlertName string
}

// Unsubscribe stops what an unsubscribe token names: a type of e-mail for
// its user, or a saved search. It needs no signed-in user: the token is
// the proof.
func (s *Service) Unsubscribe(ctx context.Context, token string) (Unsubscribed, error) {
	userID, subject, err := ParseUnsubscribeToken(s.Secret, token)
	if err != nil {
		return Unsubscribed{}, err
	}
	switch {
	case strings.HasPrefix(subject, "type:"):
		typ := strings.TrimPrefix(subject, "type:")
		if err := s.Preferences.SetPreference(ctx, userID, typ, ChannelEmail, false); err != nil {
			return Unsubscribed{}, err
		}
		return Unsubscribed{What: UnsubscribedType, Type: typ}, nil
	case strings.HasPrefix(subject, "alert:"):
		return s.UnsubscribeAlert(ctx, userID, strings.TrimPrefix(subject, "alert:"))
	}
	return Unsubscribed{}, Invalid(Broken("token", RuleUnsubscribe, RuleParams{}))
}

// FindInbox returns the signed-in user's inbox: the items for its member
// and for itself, newest first.
func (s *Service) FindInbox(ctx context.Context, unread bool, cursor string, limit int) ([]*Notification, string, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, "", Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	return s.Notifications.FindInbox(ctx, InboxFilter{MemberID: me.MemberID, UserID: me.ID, Unread: unread, Cursor: cursor, Limit: clampLimit(limit)})
}

// MarkRead marks one of the signed-in user's inbox items read.
func (s *Service) MarkRead(ctx context.Context, id string) error {
	me := UserFromContext(ctx)
	if me == nil {
		return Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	n, err := s.Notifications.FindNotificationByID(ctx, id)
	if err != nil {
		return err
	}
	mine := n.Channel == ChannelInbox && ((n.UserID == "" && n.MemberID != "" && n.MemberID == me.MemberID) || n.UserID == me.ID)
	if !mine {
		return Errorf(ENOTFOUND, "No such inbox item.")
	}
	if n.ReadAt != nil {
		return nil
	}
	return s.Notifications.MarkNotificationRead(ctx, id, s.now())
}

// MyPreferences returns the signed-in user's preferences, defaults filled
// in, for every type and channel.
func (s *Service) MyPreferences(ctx context.Context) (map[string]map[Channel]bool, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	prefs, err := s.Preferences.FindPreferences(ctx, me.ID)
	if err != nil {
		return nil, err
	}
	out := map[string]map[Channel]bool{}
	for _, typ := range NotificationTypes {
		out[typ] = map[Channel]bool{}
		for _, ch := range []Channel{ChannelInbox, ChannelEmail, ChannelWebhook} {
			out[typ][ch] = prefs.Wants(me, typ, ch)
		}
	}
	return out, nil
}

// SetMyPreference turns one type and channel on or off for the signed-in
// user.
func (s *Service) SetMyPreference(ctx context.Context, typ string, ch Channel, on bool) error {
	me := UserFromContext(ctx)
	if me == nil {
		return Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	var fe fieldErrors
	if !slices.Contains(NotificationTypes, typ) {
		fe.broke("type", RuleOneOf, RuleParams{Options: NotificationTypes})
	}
	if ch != ChannelInbox && ch != ChannelEmail {
		fe.broke("channel", RuleEither, RuleParams{Options: []string{"inbox", "email"}, Hint: " (webhooks are set for the member)"})
	}
	if err := fe.err(); err != nil {
		return err
	}
	return s.Preferences.SetPreference(ctx, me.ID, typ, ch, on)
}

// UserNotice is one notification to one user: its type, what it is about
// (its key), the message, and the subject of the unsubscribe link its
// e-mail carries (see UnsubscribeToken).
type UserNotice struct {
	Type, About string
	Message     Message
	Unsubscribe string
	Data        map[string]string
}

// NotifyUser sends one notification to one user: an inbox item and an
// e-mail, each if the user wants it, the e-mail ending with its unsubscribe
// link. Like every notification it is stored under its key first, so that
// sending it twice sends it once.
func (s *Service) NotifyUser(ctx context.Context, u *User, n UserNotice) error {
	w, err := s.Messages.WriteMessage(n.Message, u.Lang())
	if err != nil {
		return err
	}
	link := n.Message.MessageLink()
	prefs, err := s.Preferences.FindPreferences(ctx, u.ID)
	if err != nil {
		return err
	}
	if prefs.Wants(u, n.Type, ChannelInbox) {
		if err := s.notify(ctx, &Notification{
			ID: NotificationKey(n.About, "user:"+u.ID, ChannelInbox), Type: n.Type, Channel: ChannelInbox,
			MemberID: u.MemberID, UserID: u.ID, Subject: w.Subject, Text: w.Text, Lang: w.Lang, Link: link, Data: n.Data,
		}); err != nil {
			return err
		}
	}
	if prefs.Wants(u, n.Type, ChannelEmail) && u.Email != "" && !u.Suspended {
		unsub := s.unsubscribeLink(u.ID, n.Unsubscribe, w.Lang)
		endText, endHTML := s.Messages.WriteUnsubscribe(unsub, w.Lang)
		if err := s.notify(ctx, &Notification{
			ID: NotificationKey(n.About, "user:"+u.ID, ChannelEmail), Type: n.Type, Channel: ChannelEmail,
			MemberID: u.MemberID, UserID: u.ID, To: u.Email, Subject: w.Subject, Text: w.Text + endText, HTML: w.HTML + endHTML,
			Lang: w.Lang, Link: link, Unsubscribe: unsub, Data: n.Data,
		}); err != nil {
			return err
		}
	}
	return nil
}

// Link makes an absolute link to a page of the service, for messages.
func (s *Service) Link(path string) string { return s.link(path) }

// Time returns the service's current time, in UTC.
func (s *Service) Time() time.Time { return s.now() }

// Log returns the service's logger.
func (s *Service) Log() *slog.Logger { return s.logger() }
