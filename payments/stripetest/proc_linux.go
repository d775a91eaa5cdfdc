package stripetest

import (
	"os/exec"
	"syscall"
)

// setProcAttr has the kernel kill stripe-mock if the test binary dies
// without running its cleanups (a panic, a -timeout).
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
