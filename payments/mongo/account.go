package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
	"cooptrade/payments"
)

// AccountStore keeps the members' dues accounts in dues_accounts, one
// document per member with the member's ID as its _id.
type AccountStore struct {
	db   *mongodb.DB
	coll *mongo.Collection
}

type duesDoc struct {
	NetPence         int64  `bson:"netPence"`
	VATPence         int64  `bson:"vatPence"`
	GrossPence       int64  `bson:"grossPence"`
	StandardNetPence int64  `bson:"standardNetPence"`
	Currency         string `bson:"currency"`
	Basis            string `bson:"basis"`
}

func toDuesDoc(d payments.Dues) duesDoc {
	return duesDoc{NetPence: d.NetPence, VATPence: d.VATPence, GrossPence: d.GrossPence,
		StandardNetPence: d.StandardNetPence, Currency: d.Currency, Basis: string(d.Basis)}
}

func (d duesDoc) dues() payments.Dues {
	return payments.Dues{NetPence: d.NetPence, VATPence: d.VATPence, GrossPence: d.GrossPence,
		StandardNetPence: d.StandardNetPence, Currency: d.Currency, Basis: payments.DuesBasis(d.Basis)}
}

type subscriptionDoc struct {
	ID                string     `bson:"id"`
	Status            string     `bson:"status"`
	CurrentPeriodEnd  *time.Time `bson:"currentPeriodEnd,omitempty"`
	CancelAtPeriodEnd bool       `bson:"cancelAtPeriodEnd"`
	EventCreated      *time.Time `bson:"eventCreated,omitempty"`
	EventID           string     `bson:"eventId"`
}

type yearDoc struct {
	Year             int     `bson:"year"`
	LabourCostsPence int64   `bson:"labourCostsPence"`
	Dues             duesDoc `bson:"dues"`
	ApplicationID    string  `bson:"applicationId"`
}

type offlinePaymentDoc struct {
	AmountPence int64     `bson:"amountPence"`
	PeriodStart time.Time `bson:"periodStart"`
	PeriodEnd   time.Time `bson:"periodEnd"`
	Reference   string    `bson:"reference"`
	RecordedBy  string    `bson:"recordedBy"`
	RecordedAt  time.Time `bson:"recordedAt"`
}

type accountDoc struct {
	ID                 primitive.ObjectID  `bson:"_id"`
	CustomerID         string              `bson:"customerId,omitempty"`
	Subscription       subscriptionDoc     `bson:"subscription"`
	PastDueSince       *time.Time          `bson:"pastDueSince,omitempty"`
	PaidThrough        *time.Time          `bson:"paidThrough,omitempty"`
	ActionRequiredURL  string              `bson:"actionRequiredUrl,omitempty"`
	WaiverUntil        *time.Time          `bson:"waiverUntil,omitempty"`
	WaiverReason       string              `bson:"waiverReason,omitempty"`
	OfflinePaidThrough *time.Time          `bson:"offlinePaidThrough,omitempty"`
	OfflinePayments    []offlinePaymentDoc `bson:"offlinePayments"`
	Years              []yearDoc           `bson:"years"`
	RemindedFor        *time.Time          `bson:"remindedFor,omitempty"`
	// ReviewAt and RenewsAt are left out when zero, so that the range
	// queries of the jobs pass them by.
	ReviewAt  *time.Time `bson:"reviewAt,omitempty"`
	RenewsAt  *time.Time `bson:"renewsAt,omitempty"`
	Version   int64      `bson:"version"`
	CreatedAt time.Time  `bson:"createdAt"`
	UpdatedAt time.Time  `bson:"updatedAt"`
	// Schema is the version of the document's shape (mongodb.SchemaVersion).
	Schema int `bson:"schema"`
}

func opt(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func val(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func toAccountDoc(oid primitive.ObjectID, a *payments.Account) accountDoc {
	d := accountDoc{
		Schema: mongodb.SchemaVersion,
		ID:     oid, CustomerID: a.CustomerID,
		Subscription: subscriptionDoc{
			ID: a.Subscription.ID, Status: a.Subscription.Status, CurrentPeriodEnd: opt(a.Subscription.CurrentPeriodEnd),
			CancelAtPeriodEnd: a.Subscription.CancelAtPeriodEnd, EventCreated: opt(a.Subscription.EventCreated),
			EventID: a.Subscription.EventID,
		},
		PastDueSince: opt(a.PastDueSince), PaidThrough: opt(a.PaidThrough), ActionRequiredURL: a.ActionRequiredURL,
		WaiverUntil: opt(a.WaiverUntil), WaiverReason: a.WaiverReason, OfflinePaidThrough: opt(a.OfflinePaidThrough),
		OfflinePayments: []offlinePaymentDoc{}, Years: []yearDoc{}, RemindedFor: opt(a.RemindedFor),
		ReviewAt: opt(a.ReviewAt), RenewsAt: opt(a.RenewsAt), Version: a.Version,
		CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
	}
	for _, p := range a.OfflinePayments {
		d.OfflinePayments = append(d.OfflinePayments, offlinePaymentDoc(p))
	}
	for _, y := range a.Years {
		d.Years = append(d.Years, yearDoc{Year: y.Year, LabourCostsPence: y.LabourCostsPence, Dues: toDuesDoc(y.Dues), ApplicationID: y.ApplicationID})
	}
	return d
}

func (d *accountDoc) account() *payments.Account {
	a := &payments.Account{
		MemberID: d.ID.Hex(), CustomerID: d.CustomerID,
		Subscription: payments.Subscription{
			ID: d.Subscription.ID, Status: d.Subscription.Status, CurrentPeriodEnd: val(d.Subscription.CurrentPeriodEnd),
			CancelAtPeriodEnd: d.Subscription.CancelAtPeriodEnd, EventCreated: val(d.Subscription.EventCreated),
			EventID: d.Subscription.EventID,
		},
		PastDueSince: val(d.PastDueSince), PaidThrough: val(d.PaidThrough), ActionRequiredURL: d.ActionRequiredURL,
		WaiverUntil: val(d.WaiverUntil), WaiverReason: d.WaiverReason, OfflinePaidThrough: val(d.OfflinePaidThrough),
		RemindedFor: val(d.RemindedFor), ReviewAt: val(d.ReviewAt), RenewsAt: val(d.RenewsAt), Version: d.Version,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
	for _, p := range d.OfflinePayments {
		p.PeriodStart, p.PeriodEnd, p.RecordedAt = p.PeriodStart.UTC(), p.PeriodEnd.UTC(), p.RecordedAt.UTC()
		a.OfflinePayments = append(a.OfflinePayments, payments.OfflinePayment(p))
	}
	for _, y := range d.Years {
		a.Years = append(a.Years, payments.YearDues{Year: y.Year, LabourCostsPence: y.LabourCostsPence, Dues: y.Dues.dues(), ApplicationID: y.ApplicationID})
	}
	return a
}

// FindAccount implements payments.AccountStore.
func (s *AccountStore) FindAccount(ctx context.Context, memberID string) (*payments.Account, error) {
	return mongodb.FindByID(ctx, s.coll, memberID, "dues account", (*accountDoc).account)
}

// FindAccountByCustomer implements payments.AccountStore.
func (s *AccountStore) FindAccountByCustomer(ctx context.Context, customerID string) (*payments.Account, error) {
	if customerID == "" {
		return nil, mongodb.NotFound("dues account")
	}
	return mongodb.FindOne(ctx, s.coll, bson.D{{Key: "customerId", Value: customerID}}, "dues account", customerID, (*accountDoc).account)
}

// FindAccounts implements payments.AccountStore.
func (s *AccountStore) FindAccounts(ctx context.Context, memberIDs []string) (map[string]*payments.Account, error) {
	oids := mongodb.ObjectIDs(memberIDs)
	out := make(map[string]*payments.Account, len(oids))
	if len(oids) == 0 {
		return out, nil
	}
	accounts, err := s.find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: oids}}}}, nil)
	if err != nil {
		return nil, err
	}
	for _, a := range accounts {
		out[a.MemberID] = a
	}
	return out, nil
}

// FindAccountsToReview implements payments.AccountStore.
func (s *AccountStore) FindAccountsToReview(ctx context.Context, t time.Time, limit int) ([]*payments.Account, error) {
	return s.find(ctx, bson.D{{Key: "reviewAt", Value: bson.D{{Key: "$lte", Value: t.UTC()}}}},
		options.Find().SetSort(bson.D{{Key: "reviewAt", Value: 1}}).SetLimit(int64(limit)))
}

// FindAccountsRenewing implements payments.AccountStore.
func (s *AccountStore) FindAccountsRenewing(ctx context.Context, from, to time.Time, limit int) ([]*payments.Account, error) {
	return s.find(ctx, bson.D{{Key: "renewsAt", Value: bson.D{{Key: "$gt", Value: from.UTC()}, {Key: "$lte", Value: to.UTC()}}}},
		options.Find().SetSort(bson.D{{Key: "renewsAt", Value: 1}}).SetLimit(int64(limit)))
}

func (s *AccountStore) find(ctx context.Context, filter bson.D, opts *options.FindOptions) ([]*payments.Account, error) {
	return mongodb.FindAll(ctx, s.coll, filter, opts, "dues accounts", (*accountDoc).account)
}

// SaveAccount implements payments.AccountStore.
func (s *AccountStore) SaveAccount(ctx context.Context, a *payments.Account, version int64) error {
	oid, err := mongodb.ObjectID(a.MemberID, "member")
	if err != nil {
		return err
	}
	defer s.db.Lock(accountsCollection, a.MemberID)()
	d := toAccountDoc(oid, a)
	d.Version = version + 1
	stale := marketplace.Errorf(marketplace.EPRECONDITION, "The dues account of member %s has changed since version %d.", a.MemberID, version)
	if version == 0 {
		if _, err := s.coll.InsertOne(ctx, d); mongo.IsDuplicateKeyError(err) {
			return stale
		} else if err != nil {
			return mongodb.Wrap(err, "insert dues account %s", a.MemberID)
		}
		a.Version = d.Version
		return nil
	}
	_, replaced, err := s.db.ReplaceIf(ctx, s.coll, oid, []mongodb.Cond{mongodb.Eq("version", version)}, d)
	if err != nil {
		return mongodb.Wrap(err, "update dues account %s", a.MemberID)
	}
	if !replaced {
		return stale
	}
	a.Version = d.Version
	return nil
}
