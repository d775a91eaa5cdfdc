package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	netmail "net/mail"
	"os"
	"strings"

	"cooptrade/workers"
	"cooptrade/workers/mail"
)

// openNotifications sets up the delivery of mail, by SMTP when SMTP_URL is
// set, otherwise to the log, and of members' webhooks. The one mail sender
// serves the use cases' mail and the dues' reminders.
func (m *Main) openNotifications() error {
	sender, err := mail.NewSender(m.Config.SMTPURL, m.Logger.With("component", "mail"))
	if err != nil {
		return err
	}
	m.mailSender = sender
	from, _ := netmail.ParseAddress(m.Config.MailFrom) // checked by ParseConfig
	m.mailer = &workers.Mailer{Sender: sender, From: *from, Metrics: m.metrics.deliveries}
	// Members' webhooks: secrets sealed with the key; public addresses
	// only, unless WEBHOOK_ALLOW_PRIVATE (development) says otherwise.
	m.webhooks = &workers.WebhookSender{Targets: m.Stores.WebhookTargets, AllowPrivate: m.Config.WebhookAllowPrivate,
		LookupIP: m.Knobs.LookupIP, TLSConfig: m.Knobs.WebhookTLS, Metrics: m.metrics.deliveries}
	if m.Config.WebhookAllowPrivate {
		m.Logger.Warn("webhooks may reach private and loopback addresses (WEBHOOK_ALLOW_PRIVATE): for development only")
	}
	return nil
}

// secretKey returns SECRET_KEY or, on a one-machine install, a key made once
// and kept in DATA_DIR, so that links in mail keep working across restarts.
func (m *Main) secretKey() ([]byte, error) {
	if len(m.Config.SecretKey) > 0 {
		return m.Config.SecretKey, nil
	}
	if m.Config.MongoURI != "" {
		m.Logger.Warn("SECRET_KEY is not set: using a key kept in DATA_DIR; every process must share one key, so set SECRET_KEY when running more than one")
	}
	path := m.Config.SecretKeyFile()
	if raw, err := os.ReadFile(path); err == nil {
		key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
		if err != nil || len(key) < 32 {
			return nil, fmt.Errorf("%s is not a key; delete it to make a new one, or set SECRET_KEY", path)
		}
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(m.Config.DataDir, 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, err
	}
	m.Logger.Info("made a secret key for signing links", "file", path)
	return key, nil
}
