package payments

import (
	"fmt"

	"cooptrade/marketplace"
)

// Currency is the currency of every amount in this package, as Stripe
// spells it. Amounts are int64 pence.
const Currency = "gbp"

// Defaults of DuesPolicy: the federation's dues as its members agreed them.
const (
	// DefaultRateBasisPoints is 0.1% of the previous year's labour costs.
	DefaultRateBasisPoints = 10
	// DefaultMinimumPence is £150 a year before VAT.
	DefaultMinimumPence = 150_00
	// DefaultVATBasisPoints is the UK standard rate of VAT, 20%.
	DefaultVATBasisPoints = 2000
	// DefaultHardshipYears is how many years a member may pay what it can.
	DefaultHardshipYears = 2
	// DefaultHardshipMinimumPence is the least a member in hardship may name,
	// £1 a year before VAT. Stripe takes no payment below 30p; a member that
	// can pay nothing at all asks staff for a waiver instead.
	DefaultHardshipMinimumPence = 1_00
)

// MaxLabourCostsPence is the largest declaration of yearly labour costs
// accepted, £10 billion: far beyond any co-operative, and small enough that
// no calculation here can overflow.
const MaxLabourCostsPence = 10_000_000_000_00

// basisPoints is 100%: rates are in hundredths of a percent.
const basisPoints = 10_000

// DuesPolicy is the rule by which enterprise members' yearly dues are worked
// out. Its zero value is the federation's policy: 0.1% of the previous
// year's labour costs, at least £150, plus VAT at 20%, and hardship dues for
// up to two years; a zero field takes its default, so a configuration sets
// only what differs. Rates are in basis points (hundredths of a percent),
// so no money is ever a float.
type DuesPolicy struct {
	// RateBasisPoints is the share of the previous year's labour costs
	// (payroll plus members' drawings) paid as yearly dues, in basis
	// points: 10 is 0.1%. Zero means DefaultRateBasisPoints.
	RateBasisPoints int64
	// MinimumPence is the least an enterprise member pays in a year, before
	// VAT, unless hardship dues apply. Zero means DefaultMinimumPence.
	MinimumPence int64
	// VATBasisPoints is the rate of VAT added to the dues, in basis points:
	// 2000 is 20%. Zero means DefaultVATBasisPoints.
	VATBasisPoints int64
	// HardshipYears is for how many years a start-up or a co-op in
	// hardship may pay what it can. Zero means DefaultHardshipYears.
	HardshipYears int
	// HardshipMinimumPence is the least amount, before VAT, a member in
	// hardship may name. Zero means DefaultHardshipMinimumPence.
	HardshipMinimumPence int64
}

// withDefaults returns p with every zero field set to its default.
func (p DuesPolicy) withDefaults() DuesPolicy {
	if p.RateBasisPoints == 0 {
		p.RateBasisPoints = DefaultRateBasisPoints
	}
	if p.MinimumPence == 0 {
		p.MinimumPence = DefaultMinimumPence
	}
	if p.VATBasisPoints == 0 {
		p.VATBasisPoints = DefaultVATBasisPoints
	}
	if p.HardshipYears == 0 {
		p.HardshipYears = DefaultHardshipYears
	}
	if p.HardshipMinimumPence == 0 {
		p.HardshipMinimumPence = DefaultHardshipMinimumPence
	}
	return p
}

// Validate returns an EINVALID error naming each setting out of range: rates
// above 100% or negative, a negative minimum or one above £1 million, a
// negative number of hardship years, or a hardship minimum above the
// minimum dues. Zero fields are valid: they take their defaults.
func (p DuesPolicy) Validate() error {
	var fe []marketplace.FieldError
	add := func(field, msg string) {
		fe = append(fe, marketplace.FieldError{Field: field, Message: msg})
	}
	if p.RateBasisPoints < 0 || p.RateBasisPoints > basisPoints {
		add("rate_basis_points", "must be between 0 and 10000 (100%)")
	}
	if p.MinimumPence < 0 || p.MinimumPence > 1_000_000_00 {
		add("minimum_pence", "must be between 0 and 100000000 (£1 million)")
	}
	if p.VATBasisPoints < 0 || p.VATBasisPoints > basisPoints {
		add("vat_basis_points", "must be between 0 and 10000 (100%)")
	}
	if p.HardshipYears < 0 || p.HardshipYears > 100 {
		add("hardship_years", "must be between 0 and 100")
	}
	d := p.withDefaults()
	if p.HardshipMinimumPence < 0 || (p.MinimumPence >= 0 && d.HardshipMinimumPence > d.MinimumPence) {
		add("hardship_minimum_pence", "must be between 0 and the minimum dues")
	}
	if len(fe) > 0 {
		return marketplace.Invalid(fe...)
	}
	return nil
}

// DuesBasis says how a member's dues were arrived at.
type DuesBasis string

// Bases of dues.
const (
	// DuesRate is the policy's share of the member's labour costs.
	DuesRate DuesBasis = "rate"
	// DuesMinimum is the minimum, the share of labour costs being less.
	DuesMinimum DuesBasis = "minimum"
	// DuesHardship is the amount a member in hardship named.
	DuesHardship DuesBasis = "hardship"
	// DuesNone is no dues at all: worker members pay no enterprise dues.
	DuesNone DuesBasis = "none"
	// DuesAdjusted is an amount staff set on reviewing an application.
	DuesAdjusted DuesBasis = "adjusted"
)

// MaxAdjustedPence is the largest yearly amount, before VAT, that staff may
// set: £10 million.
const MaxAdjustedPence = 10_000_000_00

// Dues is what a member pays for a year of membership, in pence.
type Dues struct {
	// NetPence is the dues before VAT.
	NetPence int64 `json:"net_pence"`
	// VATPence is the VAT on NetPence.
	VATPence int64 `json:"vat_pence"`
	// GrossPence is NetPence plus VATPence: what the member pays.
	GrossPence int64 `json:"gross_pence"`
	// StandardNetPence is what the member would pay before VAT without
	// hardship dues; it equals NetPence unless Basis is DuesHardship.
	StandardNetPence int64 `json:"standard_net_pence"`
	// Currency is always Currency.
	Currency string `json:"currency"`
	// Basis says how NetPence was arrived at.
	Basis DuesBasis `json:"basis"`
}

// HardshipAmount is what a start-up or a co-op in hardship asks to pay in
// place of its normal dues, in a given year of its reduced dues.
type HardshipAmount struct {
	// AmountPence is the yearly amount the member can pay, before VAT (VAT
	// is added, as on normal dues). It must be at least the policy's
	// hardship minimum and at most the normal dues.
	AmountPence int64 `json:"amount_pence"`
	// Year counts the years of reduced dues: 1 for the first, up to the
	// policy's HardshipYears.
	Year int `json:"year"`
}

// Compute works out a member's yearly dues from its kind and its labour
// costs for the previous year (payroll plus members' drawings, in pence),
// and the hardship amount it asked for, if any (nil for none).
//
// Enterprise members pay the policy's rate of their labour costs, rounded to
// the nearest penny with halves rounded up, or the minimum if that is more;
// a member in hardship pays the amount it named instead. Worker members pay
// nothing. VAT is worked out on the net amount and rounded to the nearest
// penny, halves up: HMRC allows rounding each line to the nearest penny
// (VAT Notice 700, section 17.5), and it is what Stripe charges for an
// exclusive tax rate on a one-line invoice, so the figure shown is the
// figure charged.
//
// It returns an EINVALID error naming the field at fault: "kind",
// "labour_costs_pence" (negative or above MaxLabourCostsPence),
// "hardship.amount_pence" (below the hardship minimum or above the normal
// dues), "hardship.year" (not between 1 and HardshipYears) or "hardship"
// (for a worker member); or the policy's own Validate error.
func (p DuesPolicy) Compute(kind marketplace.MemberKind, labourCostsPence int64, hardship *HardshipAmount) (Dues, error) {
	if err := p.Validate(); err != nil {
		return Dues{}, fmt.Errorf("payments: dues policy: %w", err)
	}
	p = p.withDefaults()

	var fe []marketplace.FieldError
	add := func(field, rule string, p marketplace.RuleParams) {
		fe = append(fe, marketplace.Broken(field, rule, p))
	}
	if labourCostsPence < 0 {
		add("labour_costs_pence", marketplace.RuleNotNegative, marketplace.RuleParams{})
	} else if labourCostsPence > MaxLabourCostsPence {
		add("labour_costs_pence", marketplace.RuleMax, marketplace.RuleParams{Max: MaxLabourCostsPence, Hint: " (" + FormatPence(MaxLabourCostsPence) + ")"})
	}
	switch kind {
	case marketplace.MemberEnterprise:
	case marketplace.MemberWorker:
		if hardship != nil {
			add("hardship", marketplace.RuleWorkerHardship, marketplace.RuleParams{})
		}
	default:
		add("kind", marketplace.RuleEither, marketplace.RuleParams{Options: []string{"enterprise", "worker"}})
	}
	if len(fe) > 0 {
		return Dues{}, marketplace.Invalid(fe...)
	}
	if kind == marketplace.MemberWorker {
		return Dues{Currency: Currency, Basis: DuesNone}, nil
	}

	standard := roundHalfUp(labourCostsPence*p.RateBasisPoints, basisPoints)
	basis := DuesRate
	if standard < p.MinimumPence {
		standard, basis = p.MinimumPence, DuesMinimum
	}
	net := standard
	if hardship != nil {
		switch a := hardship.AmountPence; {
		case a < p.HardshipMinimumPence:
			add("hardship.amount_pence", marketplace.RuleMinAmount, marketplace.RuleParams{Min: p.HardshipMinimumPence})
		case a > standard:
			add("hardship.amount_pence", marketplace.RuleMaxDues, marketplace.RuleParams{Max: standard})
		}
		if hardship.Year < 1 || hardship.Year > p.HardshipYears {
			add("hardship.year", marketplace.RuleBetween, marketplace.RuleParams{Min: 1, Max: int64(p.HardshipYears), Hint: fmt.Sprintf(" (hardship dues are for at most %d years)", p.HardshipYears)})
		}
		if len(fe) > 0 {
			return Dues{}, marketplace.Invalid(fe...)
		}
		net, basis = hardship.AmountPence, DuesHardship
	}
	vat := roundHalfUp(net*p.VATBasisPoints, basisPoints)
	return Dues{
		NetPence:         net,
		VATPence:         vat,
		GrossPence:       net + vat,
		StandardNetPence: standard,
		Currency:         Currency,
		Basis:            basis,
	}, nil
}

// roundHalfUp returns n/d rounded to the nearest integer, halves up, for
// n ≥ 0 and d > 0.
func roundHalfUp(n, d int64) int64 {
	return (n + d/2) / d
}

// FormatPence formats an amount of pence as pounds for people: 15000 is
// "£150.00", 123456789 is "£1,234,567.89".
func FormatPence(pence int64) string {
	return marketplace.FormatPence(pence)
}

// Adjusted returns the dues of a yearly amount staff set, before VAT, with
// VAT worked out as Compute does; standardNetPence is what the member
// would pay without the adjustment. It returns an EINVALID error naming
// "amount_pence" for an amount below the hardship minimum (a member that
// can pay nothing gets a waiver) or above MaxAdjustedPence.
func (p DuesPolicy) Adjusted(netPence, standardNetPence int64) (Dues, error) {
	if err := p.Validate(); err != nil {
		return Dues{}, fmt.Errorf("payments: dues policy: %w", err)
	}
	p = p.withDefaults()
	switch {
	case netPence < p.HardshipMinimumPence:
		return Dues{}, marketplace.Invalid(marketplace.Broken("amount_pence", marketplace.RuleMinAmount,
			marketplace.RuleParams{Min: p.HardshipMinimumPence, Hint: "; for no dues at all, grant a waiver"}))
	case netPence > MaxAdjustedPence:
		return Dues{}, marketplace.Invalid(marketplace.Broken("amount_pence", marketplace.RuleMaxAmount,
			marketplace.RuleParams{Max: MaxAdjustedPence}))
	}
	vat := roundHalfUp(netPence*p.VATBasisPoints, basisPoints)
	return Dues{
		NetPence:         netPence,
		VATPence:         vat,
		GrossPence:       netPence + vat,
		StandardNetPence: standardNetPence,
		Currency:         Currency,
		Basis:            DuesAdjusted,
	}, nil
}
