package app

import (
	"context"
	"fmt"
	"io/fs"
	"net"
	"os"

	"cooptrade/marketplace/lmtp"
)

// serveLMTP takes replies by mail over LMTP on INBOUND_LMTP_ADDR, when it
// is set, handing them to the same use case as /v1/inbound/mail.
func (m *Main) serveLMTP() error {
	if m.Config.InboundLMTPAddr == "" {
		return nil
	}
	network, addr, err := LMTPNetwork(m.Config.InboundLMTPAddr)
	if err != nil {
		return err
	}
	if network == "unix" {
		// A socket left by a process that did not close it would refuse
		// the listen; anything else at the path is not ours to remove.
		if fi, err := os.Lstat(addr); err == nil && fi.Mode().Type() == fs.ModeSocket {
			_ = os.Remove(addr)
		}
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		return fmt.Errorf("listen for LMTP on %s: %w", m.Config.InboundLMTPAddr, err)
	}
	m.lmtp = lmtp.New(lmtp.Config{
		Receiver:    m.Service,
		Logger:      m.Logger,
		Domain:      m.Config.ReplyDomain,
		ReplyDomain: m.Config.ReplyDomain,
	})
	m.lmtpListener = ln
	m.lmtpServed = make(chan error, 1)
	go func() { m.lmtpServed <- m.lmtp.Serve(ln) }()
	m.Logger.Info("serving LMTP", "addr", ln.Addr().String())
	return nil
}

// LMTPAddr is the address LMTP is served on ("" when it is not), useful
// with INBOUND_LMTP_ADDR=127.0.0.1:0.
func (m *Main) LMTPAddr() string {
	if m.lmtpListener == nil {
		return ""
	}
	return m.lmtpListener.Addr().String()
}

// closeLMTP stops taking mail and lets deliveries under way finish, before
// the service they write through closes.
func (m *Main) closeLMTP(ctx context.Context) error {
	if m.lmtp == nil {
		return nil
	}
	err := m.lmtp.Shutdown(ctx)
	<-m.lmtpServed
	m.lmtp, m.lmtpListener = nil, nil
	return err
}
