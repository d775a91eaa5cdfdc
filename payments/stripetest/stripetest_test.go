package stripetest_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v76"

	"cooptrade/marketplace"
	"cooptrade/payments"
	"cooptrade/payments/stripetest"
)

// TestServer makes the calls the dues checkout makes: a Customer, the VAT
// tax rate, and a Checkout Session in subscription mode with the member's
// dues as an inline yearly price, paid by card or Bacs Direct Debit.
func TestServer(t *testing.T) {
	srv := stripetest.NewServer(t)
	sc := srv.Client()

	dues, err := payments.DuesPolicy{}.Compute(marketplace.MemberEnterprise, 500_000_00, nil)
	if err != nil {
		t.Fatal(err)
	}

	cusParams := &stripe.CustomerParams{
		Name:  stripe.String("Leeds Print Co-op Ltd"),
		Email: stripe.String("accounts@leedsprint.coop"),
	}
	cusParams.AddMetadata("member_id", "6571f0c2a1b2c3d4e5f60718")
	cus, err := sc.Customers.New(cusParams)
	if err != nil {
		t.Fatalf("create customer: %v", err)
	}
	if !strings.HasPrefix(cus.ID, "cus_") {
		t.Errorf("customer id = %q; want cus_…", cus.ID)
	}

	vat, err := sc.TaxRates.New(&stripe.TaxRateParams{
		DisplayName: stripe.String("VAT"),
		Percentage:  stripe.Float64(20),
		Inclusive:   stripe.Bool(false),
		Country:     stripe.String("GB"),
		TaxType:     stripe.String(string(stripe.TaxRateTaxTypeVAT)),
	})
	if err != nil {
		t.Fatalf("create tax rate: %v", err)
	}

	params := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModeSubscription)),
		Customer:          stripe.String(cus.ID),
		ClientReferenceID: stripe.String("6571f0c2a1b2c3d4e5f60718"),
		PaymentMethodTypes: stripe.StringSlice([]string{
			"card",
			"bacs_debit",
		}),
		LineItems: []*stripe.CheckoutSessionLineItemParams{{
			PriceData: &stripe.CheckoutSessionLineItemPriceDataParams{
				Currency:   stripe.String(payments.Currency),
				UnitAmount: stripe.Int64(dues.NetPence),
				ProductData: &stripe.CheckoutSessionLineItemPriceDataProductDataParams{
					Name: stripe.String("Federation dues"),
				},
				Recurring: &stripe.CheckoutSessionLineItemPriceDataRecurringParams{
					Interval: stripe.String(string(stripe.PriceRecurringIntervalYear)),
				},
			},
			Quantity: stripe.Int64(1),
			TaxRates: stripe.StringSlice([]string{vat.ID}),
		}},
		SubscriptionData: &stripe.CheckoutSessionSubscriptionDataParams{
			Metadata: map[string]string{"member_id": "6571f0c2a1b2c3d4e5f60718"},
		},
		SuccessURL: stripe.String("https://market.example.coop/dues?checkout=success"),
		CancelURL:  stripe.String("https://market.example.coop/dues?checkout=cancel"),
	}
	params.AddMetadata("member_id", "6571f0c2a1b2c3d4e5f60718")
	sess, err := sc.CheckoutSessions.New(params)
	if err != nil {
		t.Fatalf("create checkout session: %v", err)
	}
	if !strings.HasPrefix(sess.ID, "cs_") {
		t.Errorf("checkout session id = %q; want cs_…", sess.ID)
	}
}

// TestServer_ErrInvalid shows the mock refusing a request Stripe would
// refuse, so that such a request fails a test.
func TestServer_ErrInvalid(t *testing.T) {
	srv := stripetest.NewServer(t)
	_, err := srv.Client().CheckoutSessions.New(&stripe.CheckoutSessionParams{
		Mode:       stripe.String("yearly"),
		SuccessURL: stripe.String("https://market.example.coop/dues"),
	})
	var serr *stripe.Error
	if !errors.As(err, &serr) || serr.HTTPStatusCode != http.StatusBadRequest {
		t.Fatalf("create checkout session with mode=yearly: err = %v; want a 400 *stripe.Error", err)
	}
}

func TestServer_Close(t *testing.T) {
	srv := stripetest.NewServer(t)
	sc := srv.Client()
	if _, err := sc.Customers.New(&stripe.CustomerParams{Name: stripe.String("Before")}); err != nil {
		t.Fatalf("create customer before Close: %v", err)
	}
	srv.Close()
	if _, err := sc.Customers.New(&stripe.CustomerParams{Name: stripe.String("After")}); err == nil {
		t.Fatal("create customer after Close succeeded; want an error")
	}
	srv.Close() // a second Close, as the cleanup makes, is harmless
}
