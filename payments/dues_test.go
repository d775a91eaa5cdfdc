package payments_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/payments"
)

func TestDuesPolicyCompute(t *testing.T) {
	enterprise, worker := marketplace.MemberEnterprise, marketplace.MemberWorker
	tests := []struct {
		name     string
		policy   payments.DuesPolicy
		kind     marketplace.MemberKind
		labour   int64
		hardship *payments.HardshipAmount
		want     payments.Dues
	}{
		{
			name:   "OK/Rate",
			kind:   enterprise,
			labour: 500_000_00, // £500,000 → £500 + £100 VAT
			want:   payments.Dues{NetPence: 500_00, VATPence: 100_00, GrossPence: 600_00, StandardNetPence: 500_00, Currency: "gbp", Basis: payments.DuesRate},
		},
		{
			name:   "OK/Minimum",
			kind:   enterprise,
			labour: 40_000_00, // £40,000 → £40, so the £150 minimum + £30 VAT
			want:   payments.Dues{NetPence: 150_00, VATPence: 30_00, GrossPence: 180_00, StandardNetPence: 150_00, Currency: "gbp", Basis: payments.DuesMinimum},
		},
		{
			name:   "OK/NoLabourCosts",
			kind:   enterprise,
			labour: 0, // a start-up with no previous year
			want:   payments.Dues{NetPence: 150_00, VATPence: 30_00, GrossPence: 180_00, StandardNetPence: 150_00, Currency: "gbp", Basis: payments.DuesMinimum},
		},
		{
			name:   "OK/RateEqualsMinimum",
			kind:   enterprise,
			labour: 150_000_00,
			want:   payments.Dues{NetPence: 150_00, VATPence: 30_00, GrossPence: 180_00, StandardNetPence: 150_00, Currency: "gbp", Basis: payments.DuesRate},
		},
		{
			name:   "OK/NetHalfPennyRoundsUp",
			kind:   enterprise,
			labour: 2_000_005_00, // 0.1% is £2,000.005
			want:   payments.Dues{NetPence: 2000_01, VATPence: 400_00, GrossPence: 2400_01, StandardNetPence: 2000_01, Currency: "gbp", Basis: payments.DuesRate},
		},
		{
			name:   "OK/NetBelowHalfPennyRoundsDown",
			kind:   enterprise,
			labour: 2_000_004_99, // 0.1% is £2,000.00499
			want:   payments.Dues{NetPence: 2000_00, VATPence: 400_00, GrossPence: 2400_00, StandardNetPence: 2000_00, Currency: "gbp", Basis: payments.DuesRate},
		},
		{
			name:   "OK/VATRoundsToNearestPenny",
			kind:   enterprise,
			labour: 1_234_567_89, // 0.1% is £1,234.56789 → £1,234.57; VAT £246.914 → £246.91
			want:   payments.Dues{NetPence: 1234_57, VATPence: 246_91, GrossPence: 1481_48, StandardNetPence: 1234_57, Currency: "gbp", Basis: payments.DuesRate},
		},
		{
			name:   "OK/VATRoundsUp",
			kind:   enterprise,
			labour: 1_000_030_00, // 0.1% is £1,000.03; VAT £200.006 → £200.01
			want:   payments.Dues{NetPence: 1000_03, VATPence: 200_01, GrossPence: 1200_04, StandardNetPence: 1000_03, Currency: "gbp", Basis: payments.DuesRate},
		},
		{
			name:     "OK/Hardship",
			kind:     enterprise,
			labour:   40_000_00,
			hardship: &payments.HardshipAmount{AmountPence: 25_00, Year: 1},
			want:     payments.Dues{NetPence: 25_00, VATPence: 5_00, GrossPence: 30_00, StandardNetPence: 150_00, Currency: "gbp", Basis: payments.DuesHardship},
		},
		{
			name:     "OK/HardshipVATRoundsUp",
			kind:     enterprise,
			labour:   40_000_00,
			hardship: &payments.HardshipAmount{AmountPence: 25_03, Year: 2}, // VAT 500.6p
			want:     payments.Dues{NetPence: 25_03, VATPence: 5_01, GrossPence: 30_04, StandardNetPence: 150_00, Currency: "gbp", Basis: payments.DuesHardship},
		},
		{
			name:     "OK/HardshipVATRoundsDown",
			kind:     enterprise,
			labour:   40_000_00,
			hardship: &payments.HardshipAmount{AmountPence: 25_02, Year: 1}, // VAT 500.4p
			want:     payments.Dues{NetPence: 25_02, VATPence: 5_00, GrossPence: 30_02, StandardNetPence: 150_00, Currency: "gbp", Basis: payments.DuesHardship},
		},
		{
			name:     "OK/HardshipOfTheWholeDues",
			kind:     enterprise,
			labour:   500_000_00,
			hardship: &payments.HardshipAmount{AmountPence: 500_00, Year: 1},
			want:     payments.Dues{NetPence: 500_00, VATPence: 100_00, GrossPence: 600_00, StandardNetPence: 500_00, Currency: "gbp", Basis: payments.DuesHardship},
		},
		{
			name:     "OK/HardshipMinimum",
			kind:     enterprise,
			labour:   0,
			hardship: &payments.HardshipAmount{AmountPence: 1_00, Year: 1},
			want:     payments.Dues{NetPence: 1_00, VATPence: 20, GrossPence: 1_20, StandardNetPence: 150_00, Currency: "gbp", Basis: payments.DuesHardship},
		},
		{
			name:   "OK/Worker",
			kind:   worker,
			labour: 30_000_00,
			want:   payments.Dues{Currency: "gbp", Basis: payments.DuesNone},
		},
		{
			name:   "OK/ExplicitDefaults",
			policy: payments.DuesPolicy{RateBasisPoints: 10, MinimumPence: 150_00, VATBasisPoints: 2000, HardshipYears: 2, HardshipMinimumPence: 1_00},
			kind:   enterprise,
			labour: 500_000_00,
			want:   payments.Dues{NetPence: 500_00, VATPence: 100_00, GrossPence: 600_00, StandardNetPence: 500_00, Currency: "gbp", Basis: payments.DuesRate},
		},
		{
			name:   "OK/OtherPolicy",
			policy: payments.DuesPolicy{RateBasisPoints: 25, MinimumPence: 100_00, VATBasisPoints: 500},
			kind:   enterprise,
			labour: 500_000_00, // 0.25% → £1,250; 5% VAT → £62.50
			want:   payments.Dues{NetPence: 1250_00, VATPence: 62_50, GrossPence: 1312_50, StandardNetPence: 1250_00, Currency: "gbp", Basis: payments.DuesRate},
		},
		{
			name:     "OK/OtherPolicyHardshipYears",
			policy:   payments.DuesPolicy{HardshipYears: 3},
			kind:     enterprise,
			labour:   0,
			hardship: &payments.HardshipAmount{AmountPence: 50_00, Year: 3},
			want:     payments.Dues{NetPence: 50_00, VATPence: 10_00, GrossPence: 60_00, StandardNetPence: 150_00, Currency: "gbp", Basis: payments.DuesHardship},
		},
		{
			name:   "OK/LargestLabourCosts",
			kind:   enterprise,
			labour: payments.MaxLabourCostsPence,
			want:   payments.Dues{NetPence: 10_000_000_00, VATPence: 2_000_000_00, GrossPence: 12_000_000_00, StandardNetPence: 10_000_000_00, Currency: "gbp", Basis: payments.DuesRate},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.policy.Compute(tt.kind, tt.labour, tt.hardship)
			if err != nil {
				t.Fatalf("Compute: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Compute mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDuesPolicyCompute_ErrInvalid(t *testing.T) {
	enterprise, worker := marketplace.MemberEnterprise, marketplace.MemberWorker
	tests := []struct {
		name       string
		policy     payments.DuesPolicy
		kind       marketplace.MemberKind
		labour     int64
		hardship   *payments.HardshipAmount
		wantFields []string
	}{
		{name: "NegativeLabourCosts", kind: enterprise, labour: -1, wantFields: []string{"labour_costs_pence"}},
		{name: "AbsurdLabourCosts", kind: enterprise, labour: payments.MaxLabourCostsPence + 1, wantFields: []string{"labour_costs_pence"}},
		{name: "NegativeLabourCostsOfWorker", kind: worker, labour: -1, wantFields: []string{"labour_costs_pence"}},
		{name: "UnknownKind", kind: "partnership", labour: 100_00, wantFields: []string{"kind"}},
		{name: "NoKind", kind: "", labour: 100_00, wantFields: []string{"kind"}},
		{name: "HardshipOfWorker", kind: worker, hardship: &payments.HardshipAmount{AmountPence: 25_00, Year: 1}, wantFields: []string{"hardship"}},
		{name: "HardshipZero", kind: enterprise, hardship: &payments.HardshipAmount{AmountPence: 0, Year: 1}, wantFields: []string{"hardship.amount_pence"}},
		{name: "HardshipNegative", kind: enterprise, hardship: &payments.HardshipAmount{AmountPence: -25_00, Year: 1}, wantFields: []string{"hardship.amount_pence"}},
		{name: "HardshipBelowMinimum", kind: enterprise, hardship: &payments.HardshipAmount{AmountPence: 99, Year: 1}, wantFields: []string{"hardship.amount_pence"}},
		{name: "HardshipAboveNormalDues", kind: enterprise, labour: 40_000_00, hardship: &payments.HardshipAmount{AmountPence: 150_01, Year: 1}, wantFields: []string{"hardship.amount_pence"}},
		{name: "HardshipThirdYear", kind: enterprise, hardship: &payments.HardshipAmount{AmountPence: 25_00, Year: 3}, wantFields: []string{"hardship.year"}},
		{name: "HardshipYearZero", kind: enterprise, hardship: &payments.HardshipAmount{AmountPence: 25_00, Year: 0}, wantFields: []string{"hardship.year"}},
		{name: "HardshipEverythingWrong", kind: enterprise, hardship: &payments.HardshipAmount{AmountPence: 1_000_00, Year: 9}, wantFields: []string{"hardship.amount_pence", "hardship.year"}},
		{name: "PolicyNegativeRate", policy: payments.DuesPolicy{RateBasisPoints: -1}, kind: enterprise, wantFields: []string{"rate_basis_points"}},
		{name: "PolicyRateAbove100Percent", policy: payments.DuesPolicy{RateBasisPoints: 10_001}, kind: enterprise, wantFields: []string{"rate_basis_points"}},
		{name: "PolicyNegativeMinimum", policy: payments.DuesPolicy{MinimumPence: -1}, kind: enterprise, wantFields: []string{"minimum_pence"}},
		{name: "PolicyNegativeVAT", policy: payments.DuesPolicy{VATBasisPoints: -2000}, kind: enterprise, wantFields: []string{"vat_basis_points"}},
		{name: "PolicyNegativeHardshipYears", policy: payments.DuesPolicy{HardshipYears: -1}, kind: enterprise, wantFields: []string{"hardship_years"}},
		{name: "PolicyHardshipMinimumAboveMinimum", policy: payments.DuesPolicy{HardshipMinimumPence: 150_01}, kind: enterprise, wantFields: []string{"hardship_minimum_pence"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.policy.Compute(tt.kind, tt.labour, tt.hardship)
			if code := marketplace.ErrorCode(err); code != marketplace.EINVALID {
				t.Fatalf("Compute = %+v, %v; want an error with code %q", got, err, marketplace.EINVALID)
			}
			var fields []string
			for _, f := range marketplace.ErrorFields(err) {
				fields = append(fields, f.Field)
			}
			if diff := cmp.Diff(tt.wantFields, fields); diff != "" {
				t.Errorf("fields at fault mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(payments.Dues{}, got); diff != "" {
				t.Errorf("dues returned with an error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDuesPolicyValidate(t *testing.T) {
	for _, p := range []payments.DuesPolicy{
		{},
		{RateBasisPoints: 10_000, MinimumPence: 1_000_000_00, VATBasisPoints: 10_000, HardshipYears: 100, HardshipMinimumPence: 1_000_000_00},
		{MinimumPence: 50_00, HardshipMinimumPence: 50_00},
	} {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v.Validate() = %v; want nil", p, err)
		}
	}
}

// FuzzDuesPolicyCompute checks what must hold for any input: either an
// EINVALID error, or whole non-negative pence that add up, VAT at 20% of
// the net to the nearest penny, the minimum kept unless hardship applies,
// and never more than the normal dues.
func FuzzDuesPolicyCompute(f *testing.F) {
	f.Add(int64(500_000_00), int64(0), 0, true)
	f.Add(int64(40_000_00), int64(25_00), 1, true)
	f.Add(int64(-1), int64(25_00), 2, true)
	f.Add(int64(2_000_005_00), int64(150_00), 3, true)
	f.Add(int64(30_000_00), int64(0), 0, false)
	f.Fuzz(func(t *testing.T, labour, amount int64, year int, enterprise bool) {
		kind := marketplace.MemberWorker
		if enterprise {
			kind = marketplace.MemberEnterprise
		}
		var hardship *payments.HardshipAmount
		if year != 0 || amount != 0 {
			hardship = &payments.HardshipAmount{AmountPence: amount, Year: year}
		}
		d, err := payments.DuesPolicy{}.Compute(kind, labour, hardship)
		if err != nil {
			if code := marketplace.ErrorCode(err); code != marketplace.EINVALID {
				t.Fatalf("Compute(%s, %d, %+v): error code %q, want %q: %v", kind, labour, hardship, code, marketplace.EINVALID, err)
			}
			if len(marketplace.ErrorFields(err)) == 0 {
				t.Fatalf("Compute(%s, %d, %+v): error names no field: %v", kind, labour, hardship, err)
			}
			return
		}
		if labour < 0 || labour > payments.MaxLabourCostsPence {
			t.Fatalf("Compute(%s, %d, %+v) accepted labour costs out of range: %+v", kind, labour, hardship, d)
		}
		if d.NetPence < 0 || d.VATPence < 0 || d.GrossPence != d.NetPence+d.VATPence {
			t.Fatalf("Compute(%s, %d, %+v) = %+v: amounts negative or not adding up", kind, labour, hardship, d)
		}
		// VAT at 20% to the nearest penny: |5·VAT − net| ≤ 2 (0.4p either side).
		if diff := 5*d.VATPence - d.NetPence; diff < -2 || diff > 2 {
			t.Fatalf("Compute(%s, %d, %+v) = %+v: VAT is not 20%% of the net to the penny", kind, labour, hardship, d)
		}
		if d.NetPence > d.StandardNetPence {
			t.Fatalf("Compute(%s, %d, %+v) = %+v: more than the normal dues", kind, labour, hardship, d)
		}
		switch {
		case !enterprise:
			if d != (payments.Dues{Currency: "gbp", Basis: payments.DuesNone}) {
				t.Fatalf("Compute(%s, %d, %+v) = %+v: a worker member pays dues", kind, labour, hardship, d)
			}
		case hardship != nil:
			if d.NetPence != amount || d.Basis != payments.DuesHardship || year < 1 || year > 2 || amount < 1_00 {
				t.Fatalf("Compute(%s, %d, %+v) = %+v: hardship amount not what was asked, or accepted out of range", kind, labour, hardship, d)
			}
		case d.Basis == payments.DuesRate:
			// 0.1% of the labour costs to the nearest penny, halves up.
			if net := d.NetPence; labour < 1000*net-500 || labour >= 1000*net+500 || net < 150_00 {
				t.Fatalf("Compute(%s, %d, %+v) = %+v: not 0.1%% of the labour costs", kind, labour, hardship, d)
			}
		case d.Basis == payments.DuesMinimum:
			if d.NetPence != 150_00 || labour >= 150_000_00 {
				t.Fatalf("Compute(%s, %d, %+v) = %+v: minimum applied wrongly", kind, labour, hardship, d)
			}
		default:
			t.Fatalf("Compute(%s, %d, %+v) = %+v: unexpected basis", kind, labour, hardship, d)
		}
	})
}

func TestFormatPence(t *testing.T) {
	tests := map[int64]string{
		0:              "£0.00",
		5:              "£0.05",
		150_00:         "£150.00",
		1234_567_89:    "£1,234,567.89",
		-2_50:          "-£2.50",
		100_000_000_00: "£100,000,000.00",
	}
	for pence, want := range tests {
		if got := payments.FormatPence(pence); got != want {
			t.Errorf("FormatPence(%d) = %q; want %q", pence, got, want)
		}
	}
}
