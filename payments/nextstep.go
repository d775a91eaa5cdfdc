package payments

import "cooptrade/marketplace"

// What a member should do next about its dues, as Status.NextStepCode
// says it; "" for nothing. The API words them in English (stepMessages),
// the pages in each language.
const (
	StepWorker     = "worker"      // a worker member pays no enterprise dues
	StepCancelled  = "cancelled"   // the membership is cancelled: ask staff to rejoin
	StepReview     = "review"      // staff are reviewing an application
	StepDeclare    = "declare"     // declare labour costs for the year
	StepConfirm    = "confirm"     // confirm a payment the bank holds
	StepUpdateCard = "update_card" // the last payment failed: update the payment method
	StepPayOffline = "pay_offline" // pay staff by bank transfer (no Stripe here)
	StepPay        = "pay"         // pay by card or Direct Debit
)

// Steps lists every next step.
var Steps = []string{StepWorker, StepCancelled, StepReview, StepDeclare, StepConfirm, StepUpdateCard, StepPayOffline, StepPay}

// stepMessages word the next steps in English for the API.
var stepMessages = map[string]string{
	StepWorker:     "Worker members pay no enterprise dues.",
	StepCancelled:  "Your membership is cancelled; contact federation staff to rejoin.",
	StepReview:     "Staff are reviewing your application.",
	StepDeclare:    "Declare your labour costs for the year (POST /v1/dues/application), or ask for hardship dues.",
	StepConfirm:    "Your bank asks you to confirm the payment: open action_required_url.",
	StepUpdateCard: "Your last payment failed: update your payment method in the billing portal (POST /v1/dues/portal).",
	StepPayOffline: "Pay your dues to federation staff by bank transfer.",
	StepPay:        "Pay your dues: POST /v1/dues/checkout, by card or Bacs Direct Debit.",
}

// StepMessage words a next step in English, "" for none.
func StepMessage(step string) string {
	return stepMessages[step]
}

// NextStep decides what the member should do next about the dues its
// status shows; pending is whether an application of it awaits staff.
func NextStep(st *Status, pending bool) string {
	switch {
	case st.Standing == marketplace.StandingCancelled:
		return StepCancelled
	case st.Kind != marketplace.MemberEnterprise:
		return StepWorker
	case pending && (st.Dues == nil || st.Standing == marketplace.StandingPending || st.Standing == marketplace.StandingActive):
		return StepReview
	case st.Standing == marketplace.StandingPending:
		return StepDeclare
	case st.Standing == marketplace.StandingActive:
		return ""
	case st.ActionRequiredURL != "":
		return StepConfirm
	case st.Dues == nil:
		return StepDeclare
	case st.Subscription.Live():
		return StepUpdateCard
	case !st.StripeEnabled:
		return StepPayOffline
	}
	return StepPay
}
