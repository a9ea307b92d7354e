package sqlite_test

import (
	"testing"

	"github.com/clientele/clientele/internal/directory/storetest"
)

func TestIntegrationStoreContract(t *testing.T) { storetest.RunIntegrations(t, open) }
