package app_test

import (
	"strings"
	"testing"
	"time"

	"cooptrade/cmd/marketplace/app"
	"cooptrade/marketplace"
	"cooptrade/payments"
)

func TestParseConfig(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		cfg, err := app.ParseConfig(func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		if cfg.HTTPAddr != ":8080" || cfg.DataDir != "data" || cfg.MongoDatabase != "marketplace" || cfg.BaseURL != "http://localhost:8080" {
			t.Fatalf("defaults: %+v", cfg)
		}
	})
	t.Run("EveryBadValueNamed", func(t *testing.T) {
		env := map[string]string{
			"HTTP_ADDR": "8080", "BASE_URL": "localhost", "MONGODB_URI": "postgres://x", "REDIS_URL": "http://x",
			"MEILI_API_KEY": "k", "STRIPE_SECRET_KEY": "pk_test", "SMTP_URL": "mail.example", "LOG_LEVEL": "loud",
			"SHUTDOWN_TIMEOUT": "soon", "MONGODB_DATABASE": "a.b", "REPLY_DOMAIN": "replies@example.coop",
			"INBOUND_MAIL_SECRET": "short", "INBOUND_LMTP_ADDR": "unix:relative.sock",
		}
		_, err := app.ParseConfig(func(k string) string { return env[k] })
		if err == nil {
			t.Fatal("no error")
		}
		for name := range env {
			if !strings.Contains(err.Error(), name+":") {
				t.Errorf("error does not name %s:\n%v", name, err)
			}
		}
	})
}

func TestParseConfig_Replies(t *testing.T) {
	env := map[string]string{"MAIL_FROM": "Marketplace <hello@Federation.example>"}
	cfg, err := app.ParseConfig(func(k string) string { return env[k] })
	if err != nil || cfg.ReplyDomain != "federation.example" || cfg.InboundMailSecret != "" {
		t.Fatalf("reply domain %q, secret %q, %v; want MAIL_FROM's domain and no secret", cfg.ReplyDomain, cfg.InboundMailSecret, err)
	}
	env["REPLY_DOMAIN"], env["INBOUND_MAIL_SECRET"] = "replies.federation.example", "a secret of twenty-four chars"
	cfg, err = app.ParseConfig(func(k string) string { return env[k] })
	if err != nil || cfg.ReplyDomain != "replies.federation.example" || cfg.InboundMailSecret != env["INBOUND_MAIL_SECRET"] {
		t.Fatalf("reply domain %q, %v", cfg.ReplyDomain, err)
	}
	for addr, want := range map[string]string{"unix:/run/marketplace/lmtp.sock": "unix /run/marketplace/lmtp.sock", "127.0.0.1:2424": "tcp 127.0.0.1:2424"} {
		env["INBOUND_LMTP_ADDR"] = addr
		cfg, err = app.ParseConfig(func(k string) string { return env[k] })
		network, address, err2 := app.LMTPNetwork(cfg.InboundLMTPAddr)
		if err != nil || err2 != nil || network+" "+address != want {
			t.Errorf("INBOUND_LMTP_ADDR=%s: %s %s, %v %v; want %s", addr, network, address, err, err2, want)
		}
	}
}

func TestParseConfig_Dues(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		cfg, err := app.ParseConfig(func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		want := payments.DuesPolicy{RateBasisPoints: 10, MinimumPence: 150_00, VATBasisPoints: 2000, HardshipYears: 2}
		if cfg.Dues != want || cfg.DuesGracePeriod != 30*24*time.Hour || cfg.DuesRemindBefore != 30*24*time.Hour {
			t.Fatalf("dues settings: %+v, grace %v, remind %v", cfg.Dues, cfg.DuesGracePeriod, cfg.DuesRemindBefore)
		}
	})
	t.Run("OK", func(t *testing.T) {
		env := map[string]string{"DUES_RATE_PERCENT": "0.15", "DUES_MINIMUM_GBP": "£175.50", "DUES_VAT_PERCENT": "17.5",
			"DUES_HARDSHIP_YEARS": "3", "DUES_GRACE_PERIOD": "14d", "DUES_REMIND_BEFORE": "336h"}
		cfg, err := app.ParseConfig(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		want := payments.DuesPolicy{RateBasisPoints: 15, MinimumPence: 175_50, VATBasisPoints: 1750, HardshipYears: 3}
		if cfg.Dues != want || cfg.DuesGracePeriod != 14*24*time.Hour || cfg.DuesRemindBefore != 14*24*time.Hour {
			t.Fatalf("dues settings: %+v, grace %v, remind %v", cfg.Dues, cfg.DuesGracePeriod, cfg.DuesRemindBefore)
		}
	})
	t.Run("EveryBadValueNamed", func(t *testing.T) {
		for _, env := range []map[string]string{
			{"DUES_RATE_PERCENT": "0.125", "DUES_MINIMUM_GBP": "-5", "DUES_VAT_PERCENT": "0", "DUES_HARDSHIP_YEARS": "two",
				"DUES_GRACE_PERIOD": "a month", "DUES_REMIND_BEFORE": "1s"},
			{"DUES_RATE_PERCENT": "101", "DUES_MINIMUM_GBP": "1e3", "DUES_VAT_PERCENT": "20%", "DUES_HARDSHIP_YEARS": "0",
				"DUES_GRACE_PERIOD": "-30d", "DUES_REMIND_BEFORE": "9999d"},
		} {
			_, err := app.ParseConfig(func(k string) string { return env[k] })
			if err == nil {
				t.Fatalf("%v: no error", env)
			}
			for name := range env {
				if !strings.Contains(err.Error(), name+":") {
					t.Errorf("error does not name %s:\n%v", name, err)
				}
			}
		}
	})
}

func TestParseConfig_Retention(t *testing.T) {
	cfg, err := app.ParseConfig(func(k string) string { return map[string]string{"RETAIN_AUDIT_DAYS": "400"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Retention.Period(marketplace.RetainAudit); got != 400*marketplace.Day {
		t.Errorf("RETAIN_AUDIT_DAYS=400: %v", got)
	}
	if got := cfg.Retention.Period(marketplace.RetainMailBodies); got != 30*marketplace.Day {
		t.Errorf("mail bodies by default: %v; want 30 days", got)
	}
	bad := map[string]string{"RETAIN_MAIL_BODIES_DAYS": "a month", "RETAIN_STRIPE_EVENTS_DAYS": "0", "RETAIN_NOTIFICATIONS_DAYS": "-5"}
	_, err = app.ParseConfig(func(k string) string { return bad[k] })
	for name := range bad {
		if err == nil || !strings.Contains(err.Error(), name+":") {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}
