package alerting

import (
	"context"
	"cooptrade/marketplace"
	"errors"
	"sort"
	"strconv"
	"time"
)

// SendDigests sends each alert of the frequency (daily or weekly) one
// digest of the hits it collected before the end of the period now falls
// after (see marketplace.DigestPeriod) that no digest carried yet: the newest
// marketplace.MaxDigestItems of them, and how many more there were. An alert that
// found nothing sends nothing. Hits are marked with the period before the
// digest is stored, and the digest is stored under a key of the alert and
// the period, so a job run twice, or retried after dying halfway, sends
// each digest once and each hit in one digest only. A run that was missed
// is made up by the next: hits wait until a digest carries them. It returns
// how many alerts had something to send.
func (x *Alerts) SendDigests(ctx context.Context, freq marketplace.AlertFrequency) (int, error) {
	if freq != marketplace.AlertDaily && freq != marketplace.AlertWeekly {
		return 0, marketplace.Errorf(marketplace.EINVALID, "Digests are daily or weekly, not %q.", freq)
	}
	start, end, period := marketplace.DigestPeriod(freq, x.s.Time())
	sn, err := x.load(ctx)
	if err != nil {
		return 0, err
	}
	alerts := map[string]*marketplace.Alert{}
	var ids []string
	for _, ca := range sn.all {
		if a := ca.alert; a.Frequency == freq && !a.Paused {
			alerts[a.ID] = a
			ids = append(ids, a.ID)
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	hits, err := x.s.Alerts.FindAlertHits(ctx, marketplace.AlertHitFilter{AlertIDs: ids, Digests: []string{"", period}, Before: end})
	if err != nil {
		return 0, err
	}
	var fresh []string
	byAlert := map[string][]*marketplace.AlertHit{}
	for _, h := range hits {
		if h.Digest == "" {
			fresh = append(fresh, marketplace.AlertHitID(h.AlertID, h.ListingID))
		}
		byAlert[h.AlertID] = append(byAlert[h.AlertID], h)
	}
	if len(fresh) > 0 {
		if err := x.s.Alerts.MarkAlertHits(ctx, fresh, period); err != nil {
			return 0, err
		}
	}
	sent := 0
	var errs []error
	for _, id := range ids {
		hs := byAlert[id]
		if len(hs) == 0 {
			continue
		}
		errs = append(errs, x.sendDigest(ctx, alerts[id], hs, freq, period, start, end))
		sent++
	}
	return sent, errors.Join(errs...)
}

// sendDigest tells an alert's user about the listings of one period.
func (x *Alerts) sendDigest(ctx context.Context, a *marketplace.Alert, hits []*marketplace.AlertHit, freq marketplace.AlertFrequency, period string, start, end time.Time) error {
	u, err := x.s.Users.FindUserByID(ctx, a.UserID)
	if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	sort.Slice(hits, func(i, j int) bool {
		if !hits[i].PublishedAt.Equal(hits[j].PublishedAt) {
			return hits[i].PublishedAt.After(hits[j].PublishedAt)
		}
		return hits[i].ListingID > hits[j].ListingID
	})
	shown := hits[:min(len(hits), marketplace.MaxDigestItems)]
	msg := marketplace.AlertMessage{Alert: a, More: len(hits) - len(shown), Count: len(hits), Digest: freq, Start: start,
		Link: x.s.Link("/search?" + a.Query)}
	for _, h := range shown {
		msg.Items = append(msg.Items, marketplace.AlertItem{Hit: h, Link: x.s.Link("/listings/" + h.ListingID)})
	}
	return x.s.NotifyUser(ctx, u, marketplace.UserNotice{
		Type: marketplace.NotifyAlert, About: "alert:" + a.ID + ":" + period, Message: msg, Unsubscribe: "alert:" + a.ID,
		Data: map[string]string{"alert_id": a.ID, "period": period, "count": strconv.Itoa(len(hits)),
			"period_start": start.Format(time.RFC3339), "period_end": end.Format(time.RFC3339)},
	})
}
