package storetest

import (
	"errors"

	"github.com/clientele/clientele/internal/directory"
)

func asError(err error, target **directory.Error) bool { return errors.As(err, target) }
