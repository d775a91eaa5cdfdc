package marketplace

import (
	"context"
)

// Telling the sides of a thread: each user of a member in their own
// language, a member of the public at the address it confirmed.

// tellSide tells the side that did not write msg about it: the member's
// inbox, mail to each of its users who wants it (each with its own reply
// address) and its webhook; or the member of the public's mail.
func (s *Service) tellSide(ctx context.Context, t *Thread, msg *ThreadMessage) error {
	typ := NotifyThreadAnswer
	if msg.ID == "1" && t.Kind == ThreadEnquiry {
		typ = NotifyEnquiryNew
	}
	to := msg.Side.Other()
	note := ThreadNotice{New: typ == NotifyEnquiryNew, Title: t.ListingTitle, Author: msg.Author, Body: msg.Body, Known: msg.Known}
	if to == SideBuyer {
		note.Author = t.SupplierName
	} else if t.BuyerMemberID != "" {
		note.Author = msg.Author + " (" + t.BuyerName + ")"
	}
	return s.tellThreadSide(ctx, t, to, typ, "thread:"+t.ID+":"+msg.ID,
		map[string]string{"thread_id": t.ID, "message_id": msg.ID},
		func(link string) Message { note.Link = link; return note })
}

// tellThreadSide tells one side of a thread something: message makes what
// is said from the link the reader follows.
func (s *Service) tellThreadSide(ctx context.Context, t *Thread, to Side, typ, about string, data map[string]string, message func(link string) Message) error {
	memberID := t.SupplierMemberID
	if to == SideBuyer {
		memberID = t.BuyerMemberID
	}
	if memberID == "" {
		// The member of the public: by mail, with a link that lets it
		// read the thread without an account.
		p := t.Person("public")
		if p == nil || p.Email == "" || p.Blocked {
			return nil // none, erased, or suspended by staff
		}
		token := ReplyToken(s.Secret, t.ID, p)
		return s.mailPublic(ctx, about, typ, p, s.replyAddress(t.ID, token), message(s.link("/threads/"+t.ID+"?token="+token)), data)
	}
	note := message(s.link("/threads/" + t.ID))
	users, err := s.Users.FindUsersByMember(ctx, memberID)
	if err != nil {
		return err
	}
	// Each mail is in its reader's language; the inbox item and the
	// webhook in the member's, as notifyMember words them.
	written := map[string]Written{}
	write := func(lang string) (Written, error) {
		if w, ok := written[lang]; ok {
			return w, nil
		}
		w, err := s.Messages.WriteMessage(note, lang)
		written[lang] = w
		return w, err
	}
	w, err := write(MemberLang(users))
	if err != nil {
		return err
	}
	if err := s.notify(ctx, &Notification{
		ID: NotificationKey(about, "member:"+memberID, ChannelInbox), Type: typ, Channel: ChannelInbox,
		MemberID: memberID, Subject: w.Subject, Text: w.Text, Lang: w.Lang, Link: note.MessageLink(), Data: data,
	}); err != nil {
		return err
	}
	for _, u := range users {
		prefs, err := s.Preferences.FindPreferences(ctx, u.ID)
		if err != nil {
			return err
		}
		wants := prefs.Wants(u, typ, ChannelEmail)
		if _, chosen := prefs[typ][ChannelEmail]; !chosen && t.Person("user:"+u.ID) != nil {
			wants = true // who wrote in the thread hears the answers, unless they said no
		}
		if u.Suspended || !wants {
			continue
		}
		p, err := s.threadPerson(ctx, t, u, to)
		if err != nil {
			return err
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
			Lang: uw.Lang, Link: note.MessageLink(), Unsubscribe: unsubscribe, ReplyTo: s.replyAddress(t.ID, ReplyToken(s.Secret, t.ID, p)), Data: data,
		}); err != nil {
			return err
		}
	}
	target, err := s.WebhookTargets.FindWebhookTarget(ctx, memberID)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return err
	}
	if target != nil && target.Wants(typ) {
		return s.notify(ctx, &Notification{
			ID: NotificationKey(about, "member:"+memberID, ChannelWebhook), Type: typ, Channel: ChannelWebhook,
			MemberID: memberID, To: target.URL, Subject: w.Subject, Text: w.Text, Lang: w.Lang, Link: note.MessageLink(), Data: data,
		})
	}
	return nil
}

// mailPublic mails a member of the public about a thread: someone with
// no account, so no preferences; the mail goes only to an address its
// owner typed and, but for the confirmation, confirmed, in the language
// of the page it wrote from.
func (s *Service) mailPublic(ctx context.Context, about, typ string, p *ThreadPerson, replyTo string, msg Message, data map[string]string) error {
	if p.Blocked {
		return nil // staff suspended it: it hears no more
	}
	w, err := s.Messages.WriteMessage(msg, p.Lang)
	if err != nil {
		return err
	}
	return s.notify(ctx, &Notification{
		ID: NotificationKey(about, "public", ChannelEmail), Type: typ, Channel: ChannelEmail,
		To: p.Email, ReplyTo: replyTo, Subject: w.Subject, Text: w.Text, HTML: w.HTML, Lang: w.Lang, Link: msg.MessageLink(), Data: data,
	})
}
