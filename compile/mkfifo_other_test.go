//go:build !unix

package compile

import "errors"

func mkfifo(string) error { return errors.New("no FIFOs on this system") }
