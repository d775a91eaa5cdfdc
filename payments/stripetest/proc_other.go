//go:build !linux

package stripetest

import "os/exec"

// setProcAttr does nothing here: only Linux kills a child with its parent.
func setProcAttr(cmd *exec.Cmd) {}
