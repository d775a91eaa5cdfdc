package payments

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"cooptrade/marketplace"
)

// NewStripeClient returns a Stripe client with the secret key. apiBase,
// when not empty, sends every request there instead of to Stripe (to
// stripe-mock, or a proxy).
func NewStripeClient(secretKey, apiBase string) *client.API {
	if apiBase == "" {
		return client.New(secretKey, nil)
	}
	config := func() *stripe.BackendConfig {
		return &stripe.BackendConfig{
			URL:           stripe.String(strings.TrimRight(apiBase, "/")),
			LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelWarn},
		}
	}
	return client.New(secretKey, &stripe.Backends{
		API:     stripe.GetBackendWithConfig(stripe.APIBackend, config()),
		Connect: stripe.GetBackendWithConfig(stripe.ConnectBackend, config()),
		Uploads: stripe.GetBackendWithConfig(stripe.UploadsBackend, config()),
	})
}

// IsLiveKey reports whether a Stripe secret key is a live-mode one.
func IsLiveKey(key string) bool {
	return strings.HasPrefix(key, "sk_live_") || strings.HasPrefix(key, "rk_live_")
}

// ProductName is the name of the Stripe product the dues are sold as, as
// members see it on Checkout and invoices.
const ProductName = "Federation membership dues"

// Session is a Stripe-hosted page the member is sent to.
type Session struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// Checkout starts the payment of the signed-in owner's member's dues: it
// creates the member's Stripe customer the first time, then a Checkout
// Session in subscription mode for the year's dues (an inline yearly price
// in pence, VAT as a tax rate, by card or Bacs Direct Debit), and returns
// its URL. EFORBIDDEN for a member awaiting approval or cancelled,
// ECONFLICT for one with no approved dues, a worker member, or one that
// pays by subscription already; EUNAVAILABLE without Stripe.
func (s *Service) Checkout(ctx context.Context) (*Session, error) {
	if s.Stripe == nil {
		return nil, errStripeOff()
	}
	m, err := s.ownMember(ctx, "pay its dues")
	if err != nil {
		return nil, err
	}
	switch {
	case m.Kind == marketplace.MemberWorker:
		return nil, marketplace.Errorf(marketplace.ECONFLICT, "Worker members pay no enterprise dues.")
	case m.Standing == marketplace.StandingPending:
		return nil, marketplace.Errorf(marketplace.EFORBIDDEN, "Your membership is awaiting approval: staff review your application before any payment is asked.")
	case m.Standing == marketplace.StandingCancelled:
		return nil, marketplace.Errorf(marketplace.EFORBIDDEN, "Your membership is cancelled; contact federation staff to rejoin.")
	}
	a, err := s.findAccount(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	if a.Subscription.Live() {
		return nil, marketplace.Errorf(marketplace.ECONFLICT, "You pay your dues by subscription already (it is %s); manage it in the billing portal: POST /v1/dues/portal.", a.Subscription.Status)
	}
	now := s.now()
	y, ok := a.DuesFor(s.Policy, m.Kind, now.Year())
	if !ok {
		return nil, marketplace.Errorf(marketplace.ECONFLICT, "There are no approved dues to pay yet: declare your labour costs (POST /v1/dues/application) and wait for staff to approve them.")
	}
	customer, err := s.ensureCustomer(ctx, m, a)
	if err != nil {
		return nil, err
	}
	product, err := s.productID(ctx)
	if err != nil {
		return nil, err
	}
	taxRate, err := s.taxRateID(ctx)
	if err != nil {
		return nil, err
	}
	params := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModeSubscription)),
		Customer:          stripe.String(customer),
		ClientReferenceID: stripe.String(m.ID),
		PaymentMethodTypes: stripe.StringSlice([]string{
			string(stripe.PaymentMethodTypeCard),
			string(stripe.PaymentMethodTypeBACSDebit),
		}),
		LineItems: []*stripe.CheckoutSessionLineItemParams{{
			PriceData: &stripe.CheckoutSessionLineItemPriceDataParams{
				Currency:   stripe.String(Currency),
				Product:    stripe.String(product),
				UnitAmount: stripe.Int64(y.Dues.NetPence),
				Recurring: &stripe.CheckoutSessionLineItemPriceDataRecurringParams{
					Interval: stripe.String(string(stripe.PriceRecurringIntervalYear)),
				},
			},
			Quantity: stripe.Int64(1),
			TaxRates: stripe.StringSlice([]string{taxRate}),
		}},
		SubscriptionData: &stripe.CheckoutSessionSubscriptionDataParams{
			Description: stripe.String(fmt.Sprintf("%s: %s", ProductName, m.Name)),
			Metadata:    map[string]string{MetadataMemberID: m.ID},
		},
		SuccessURL: stripe.String(s.BaseURL + "/dues?checkout=success&session_id={CHECKOUT_SESSION_ID}"),
		CancelURL:  stripe.String(s.BaseURL + "/dues?checkout=cancelled"),
	}
	params.Context = ctx
	params.AddMetadata(MetadataMemberID, m.ID)
	sess, err := s.Stripe.CheckoutSessions.New(params)
	if err != nil {
		return nil, stripeError(err, "create a Checkout Session")
	}
	return &Session{ID: sess.ID, URL: sess.URL}, nil
}

// Portal returns the URL of a Billing Portal session, where the signed-in
// owner's member changes its payment method, sees its invoices or cancels.
// ECONFLICT before the member has paid through Stripe; EUNAVAILABLE
// without Stripe.
func (s *Service) Portal(ctx context.Context) (*Session, error) {
	if s.Stripe == nil {
		return nil, errStripeOff()
	}
	m, err := s.ownMember(ctx, "manage its payments")
	if err != nil {
		return nil, err
	}
	a, err := s.findAccount(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	if a.CustomerID == "" {
		return nil, marketplace.Errorf(marketplace.ECONFLICT, "There is nothing to manage yet: start paying with POST /v1/dues/checkout.")
	}
	params := &stripe.BillingPortalSessionParams{
		Customer:  stripe.String(a.CustomerID),
		ReturnURL: stripe.String(s.BaseURL + "/dues"),
	}
	params.Context = ctx
	sess, err := s.Stripe.BillingPortalSessions.New(params)
	if err != nil {
		return nil, stripeError(err, "create a Billing Portal session")
	}
	return &Session{ID: sess.ID, URL: sess.URL}, nil
}

// Invoice is one of the member's invoices, as Stripe has it.
type Invoice struct {
	ID          string     `json:"id"`
	Number      string     `json:"number,omitempty"`
	Status      string     `json:"status"`
	Currency    string     `json:"currency"`
	TotalPence  int64      `json:"total_pence"`
	PaidPence   int64      `json:"paid_pence"`
	DuePence    int64      `json:"due_pence"`
	Created     time.Time  `json:"created"`
	PeriodStart *time.Time `json:"period_start,omitempty"`
	PeriodEnd   *time.Time `json:"period_end,omitempty"`
	// URL is Stripe's page of the invoice, where an open one is paid.
	URL string `json:"url,omitempty"`
	PDF string `json:"pdf,omitempty"`
}

// maxInvoices bounds the invoices shown: a dozen years of dues.
const maxInvoices = 12

// invoices returns the customer's newest invoices.
func (s *Service) invoices(ctx context.Context, customerID string) ([]Invoice, error) {
	params := &stripe.InvoiceListParams{Customer: stripe.String(customerID)}
	params.Context = ctx
	params.Limit = stripe.Int64(maxInvoices)
	params.Single = true // one page
	out := []Invoice{}
	it := s.Stripe.Invoices.List(params)
	for it.Next() && len(out) < maxInvoices {
		in := it.Invoice()
		inv := Invoice{
			ID: in.ID, Number: in.Number, Status: string(in.Status), Currency: string(in.Currency),
			TotalPence: in.Total, PaidPence: in.AmountPaid, DuePence: in.AmountRemaining,
			Created: unixTime(in.Created), URL: in.HostedInvoiceURL, PDF: in.InvoicePDF,
		}
		if in.Lines != nil {
			var start, end int64
			for _, l := range in.Lines.Data {
				if l.Period != nil {
					if start == 0 || l.Period.Start < start {
						start = l.Period.Start
					}
					end = max(end, l.Period.End)
				}
			}
			inv.PeriodStart, inv.PeriodEnd = timePtr(unixTime(start)), timePtr(unixTime(end))
		}
		out = append(out, inv)
	}
	if err := it.Err(); err != nil {
		return nil, stripeError(err, "list invoices")
	}
	return out, nil
}

// ensureCustomer returns the member's Stripe customer, creating it the
// first time. The creation carries an idempotency key, so two requests
// at once make one customer; the ID is stored only if none is stored yet.
func (s *Service) ensureCustomer(ctx context.Context, m *marketplace.Member, a *Account) (string, error) {
	if a.CustomerID != "" {
		return a.CustomerID, nil
	}
	params := &stripe.CustomerParams{
		Name:  stripe.String(m.Name),
		Email: stripe.String(m.Email),
	}
	params.Context = ctx
	params.AddMetadata(MetadataMemberID, m.ID)
	params.SetIdempotencyKey("cooptrade-customer-" + m.ID)
	c, err := s.Stripe.Customers.New(params)
	if err != nil {
		return "", stripeError(err, "create a customer")
	}
	stored, err := s.updateAccount(ctx, m.ID, func(a *Account) (bool, error) {
		if a.CustomerID != "" {
			return false, nil
		}
		a.CustomerID = c.ID
		return true, nil
	})
	if err != nil {
		return "", err
	}
	return stored.CustomerID, nil
}

// objectKey is the key under which an object of this mode is remembered.
func (s *Service) objectKey(kind string) string {
	mode := "test"
	if s.Livemode {
		mode = "live"
	}
	return kind + ":" + mode
}

// productID returns the dues product, creating it the first time.
func (s *Service) productID(ctx context.Context) (string, error) {
	return s.object(ctx, s.objectKey("product:dues"), func() (string, error) {
		params := &stripe.ProductParams{
			Name:        stripe.String(ProductName),
			Description: stripe.String("Yearly dues of a member co-operative of the federation."),
		}
		params.Context = ctx
		params.AddMetadata("cooptrade", "dues")
		p, err := s.Stripe.Products.New(params)
		if err != nil {
			return "", stripeError(err, "create the dues product")
		}
		return p.ID, nil
	})
}

// taxRateID returns the exclusive UK VAT tax rate of the policy's rate,
// creating it the first time.
func (s *Service) taxRateID(ctx context.Context) (string, error) {
	bp := s.Policy.withDefaults().VATBasisPoints
	return s.object(ctx, s.objectKey("tax_rate:vat:"+strconv.FormatInt(bp, 10)), func() (string, error) {
		params := &stripe.TaxRateParams{
			DisplayName: stripe.String("VAT"),
			Description: stripe.String(fmt.Sprintf("UK VAT at %s%%", formatBasisPoints(bp))),
			Percentage:  stripe.Float64(float64(bp) / 100),
			Inclusive:   stripe.Bool(false),
			Country:     stripe.String("GB"),
			TaxType:     stripe.String(string(stripe.TaxRateTaxTypeVAT)),
		}
		params.Context = ctx
		params.AddMetadata("cooptrade", "dues-vat")
		r, err := s.Stripe.TaxRates.New(params)
		if err != nil {
			return "", stripeError(err, "create the VAT tax rate")
		}
		return r.ID, nil
	})
}

// object returns the ID remembered under key, or creates the object and
// remembers its ID. Two creations at once leave one ID remembered, and
// both callers use it.
func (s *Service) object(ctx context.Context, key string, create func() (string, error)) (string, error) {
	id, err := s.Objects.FindObjectID(ctx, key)
	if err == nil {
		return id, nil
	} else if marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		return "", err
	}
	id, err = create()
	if err != nil {
		return "", err
	}
	return s.Objects.SaveObjectID(ctx, key, id)
}

// formatBasisPoints formats 2000 as "20" and 1750 as "17.5".
func formatBasisPoints(bp int64) string {
	s := strconv.FormatInt(bp/100, 10)
	if r := bp % 100; r != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", r), "0")
	}
	return s
}

// syncRenewalPrice sets the price of the subscription's next renewal to
// the dues approved for the year the renewal starts in, unless it is that
// already.
func (s *Service) syncRenewalPrice(ctx context.Context, m *marketplace.Member, a *Account) error {
	renewal := a.Subscription.CurrentPeriodEnd
	if renewal.IsZero() {
		renewal = s.now()
	}
	y, ok := a.DuesFor(s.Policy, m.Kind, renewal.Year())
	if !ok {
		return nil
	}
	return s.syncSubscriptionPrice(ctx, a.Subscription.ID, y.Dues.NetPence)
}

// syncSubscriptionPrice sets the price of a subscription to netPence a
// year unless it is that already. The change is not prorated: it applies
// from the next renewal.
func (s *Service) syncSubscriptionPrice(ctx context.Context, subscriptionID string, netPence int64) error {
	params := &stripe.SubscriptionParams{}
	params.Context = ctx
	sub, err := s.Stripe.Subscriptions.Get(subscriptionID, params)
	if err != nil {
		return stripeError(err, "read the subscription")
	}
	if sub.Items == nil || len(sub.Items.Data) == 0 {
		return fmt.Errorf("payments: subscription %s has no items", subscriptionID)
	}
	item := sub.Items.Data[0]
	if item.Price != nil && item.Price.UnitAmount == netPence && item.Price.Currency == stripe.Currency(Currency) {
		return nil
	}
	return s.setSubscriptionPrice(ctx, subscriptionID, item.ID, netPence)
}

// setSubscriptionPrice replaces the price of a subscription's item with an
// inline yearly price of the amount, from the next renewal.
func (s *Service) setSubscriptionPrice(ctx context.Context, subscriptionID, itemID string, netPence int64) error {
	product, err := s.productID(ctx)
	if err != nil {
		return err
	}
	taxRate, err := s.taxRateID(ctx)
	if err != nil {
		return err
	}
	params := &stripe.SubscriptionParams{
		Items: []*stripe.SubscriptionItemsParams{{
			ID: stripe.String(itemID),
			PriceData: &stripe.SubscriptionItemPriceDataParams{
				Currency:   stripe.String(Currency),
				Product:    stripe.String(product),
				UnitAmount: stripe.Int64(netPence),
				Recurring: &stripe.SubscriptionItemPriceDataRecurringParams{
					Interval: stripe.String(string(stripe.PriceRecurringIntervalYear)),
				},
			},
			Quantity: stripe.Int64(1),
			TaxRates: stripe.StringSlice([]string{taxRate}),
		}},
		ProrationBehavior: stripe.String("none"),
	}
	params.Context = ctx
	if _, err := s.Stripe.Subscriptions.Update(subscriptionID, params); err != nil {
		return stripeError(err, "set the price of the next renewal")
	}
	return nil
}

// stripeError turns an error of the Stripe client into one of ours: Stripe
// unreachable, rate limiting or failing is EUNAVAILABLE; anything else
// (a request it refused) is internal, wrapped with what was being done.
func stripeError(err error, doing string) error {
	var se *stripe.Error
	if errors.As(err, &se) {
		if se.HTTPStatusCode == http.StatusTooManyRequests || se.HTTPStatusCode >= 500 {
			return fmt.Errorf("payments: stripe: %s: %w: %w", doing, err, marketplace.Errorf(marketplace.EUNAVAILABLE, "Stripe is not answering; try again shortly."))
		}
		return fmt.Errorf("payments: stripe: %s: %w", doing, err)
	}
	return fmt.Errorf("payments: stripe: %s: %w: %w", doing, err, marketplace.Errorf(marketplace.EUNAVAILABLE, "Stripe is not reachable; try again shortly."))
}
