package storetest

import (
	"errors"
	"strconv"

	"github.com/clientele/clientele/internal/directory"
)

func asError(err error, target **directory.Error) bool { return errors.As(err, target) }

func fmtInt(n int64) string { return strconv.FormatInt(n, 10) }
