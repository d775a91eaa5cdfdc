package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

// Personal data in the dues: a member's account and applications are
// exported to it, and kept after it is erased, since invoices and dues
// payments are kept six years (HMRC); erasure keeps the amounts and
// periods and clears the free text, which may name people.

var (
	_ marketplace.PersonalData = (*AccountStore)(nil)
	_ marketplace.PersonalData = (*ApplicationStore)(nil)
)

// withoutPersonalData are payments' collections that hold nothing
// exported or erased by subject, and why.
var withoutPersonalData = map[string]string{
	eventsCollection:  "Stripe's events as received, deleted by the retention job once applied and past their time",
	objectsCollection: "which of our records each Stripe object is: IDs only",
}

// PersonalData returns payments' stores that hold data about people.
func (s *Stores) PersonalData() []marketplace.PersonalData {
	return []marketplace.PersonalData{s.Accounts, s.Applications}
}

func exportByFilter(ctx context.Context, coll *mongo.Collection, filter bson.D, into marketplace.PersonalRecords) error {
	into.Add(coll.Name())
	return mongodb.Walk(ctx, coll, filter, coll.Name(), func(d *bson.M) error {
		into.Add(coll.Name(), plainDoc(*d))
		return nil
	})
}

// plainDoc turns a decoded document into values encoding/json writes as
// people read them.
func plainDoc(m bson.M) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = plainValue(v)
	}
	return out
}

func plainValue(v any) any {
	switch v := v.(type) {
	case bson.M:
		return plainDoc(v)
	case bson.D:
		m := make(bson.M, len(v))
		for _, e := range v {
			m[e.Key] = e.Value
		}
		return plainDoc(m)
	case bson.A:
		a := make([]any, len(v))
		for i, x := range v {
			a[i] = plainValue(x)
		}
		return a
	case primitive.ObjectID:
		return v.Hex()
	case primitive.DateTime:
		return v.Time().UTC()
	}
	return v
}

func memberOID(id string) primitive.ObjectID {
	oid, _ := primitive.ObjectIDFromHex(id)
	return oid
}

// ExportSubject implements marketplace.PersonalData: a member's dues account.
func (s *AccountStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	if sub.Kind != marketplace.SubjectMember {
		return nil
	}
	return exportByFilter(ctx, s.coll, bson.D{{Key: "_id", Value: memberOID(sub.ID)}}, into)
}

// EraseSubject implements marketplace.PersonalData: the account stays with
// its payments; the waiver's reason and the link to pay go. A user who
// recorded payments is named by the pseudonym instead.
func (s *AccountStore) EraseSubject(ctx context.Context, sub marketplace.Subject, pseudonym string) error {
	if sub.Kind == marketplace.SubjectUser {
		return s.renameRecorder(ctx, sub.Email, pseudonym)
	}
	if sub.Kind != marketplace.SubjectMember {
		return nil
	}
	defer s.db.Lock(accountsCollection, sub.ID)()
	_, err := s.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: memberOID(sub.ID)}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "waiverReason", Value: ""}, {Key: "actionRequiredUrl", Value: ""}}}})
	return mongodb.Wrap(err, "erase dues account %s", sub.ID)
}

// ExportSubject implements marketplace.PersonalData: a member's dues
// applications.
func (s *ApplicationStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	if sub.Kind != marketplace.SubjectMember {
		return nil
	}
	return exportByFilter(ctx, s.coll, bson.D{{Key: "memberId", Value: memberOID(sub.ID)}}, into)
}

// EraseSubject implements marketplace.PersonalData: the applications stay,
// as the basis of the dues charged, without their reasons and notes. A
// user who decided applications is named by the pseudonym instead.
func (s *ApplicationStore) EraseSubject(ctx context.Context, sub marketplace.Subject, pseudonym string) error {
	if sub.Kind == marketplace.SubjectUser {
		if sub.Email == "" {
			return nil
		}
		var ids []primitive.ObjectID
		err := mongodb.Walk(ctx, s.coll, bson.D{{Key: "decidedBy", Value: sub.Email}}, "dues applications", func(d *applicationDoc) error {
			ids = append(ids, d.ID)
			return nil
		})
		if err != nil {
			return err
		}
		return mongodb.UpdateByIDs(ctx, s.coll, ids, bson.D{{Key: "$set", Value: bson.D{{Key: "decidedBy", Value: pseudonym}}}})
	}
	if sub.Kind != marketplace.SubjectMember {
		return nil
	}
	var ids []primitive.ObjectID
	err := mongodb.Walk(ctx, s.coll, bson.D{{Key: "memberId", Value: memberOID(sub.ID)}}, "dues applications", func(d *applicationDoc) error {
		ids = append(ids, d.ID)
		return nil
	})
	if err != nil {
		return err
	}
	return mongodb.UpdateByIDs(ctx, s.coll, ids, bson.D{{Key: "$set", Value: bson.D{{Key: "reason", Value: ""}, {Key: "staffNotes", Value: ""}}}})
}

// renameRecorder replaces who recorded offline payments, where it is
// email, by pseudonym: each account read and written whole by _id, under
// its lock (FerretDB's positional updates are silently wrong).
func (s *AccountStore) renameRecorder(ctx context.Context, email, pseudonym string) error {
	if email == "" {
		return nil
	}
	var ids []primitive.ObjectID
	err := mongodb.Walk(ctx, s.coll, bson.D{{Key: "offlinePayments.recordedBy", Value: email}}, "dues accounts", func(d *accountDoc) error {
		ids = append(ids, d.ID)
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.renameRecorderOf(ctx, id, email, pseudonym); err != nil {
			return err
		}
	}
	return nil
}

func (s *AccountStore) renameRecorderOf(ctx context.Context, id primitive.ObjectID, email, pseudonym string) error {
	defer s.db.Lock(accountsCollection, id.Hex())()
	var d accountDoc
	if err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return mongodb.Wrap(err, "read dues account %s", id.Hex())
	}
	for i := range d.OfflinePayments {
		if d.OfflinePayments[i].RecordedBy == email {
			d.OfflinePayments[i].RecordedBy = pseudonym
		}
	}
	_, err := s.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "offlinePayments", Value: d.OfflinePayments}}}})
	return mongodb.Wrap(err, "erase a recorder in dues account %s", id.Hex())
}
