package postgres_test

import (
	"testing"

	"github.com/clientele/clientele/internal/directory/storetest"
	"github.com/clientele/clientele/internal/postgres/pgtest"
)

func TestIntegrationStoreContract(t *testing.T) {
	pgtest.DSN(t)
	storetest.RunIntegrations(t, pgtest.OpenEmptied)
}
