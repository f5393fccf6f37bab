//go:build !linux

package priority

import "errors"

func lower(int) error { return errors.ErrUnsupported }
