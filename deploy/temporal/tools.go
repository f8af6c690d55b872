//go:build tools

// Package tools pins, in this module's go.mod, every Temporal binary the project builds:
//
//	github.com/temporalio/cli/cmd/temporal       the CLI (`temporal server start-dev`, the tests' dev server)
//	go.temporal.io/server/cmd/server             the server (`npm run cluster`: all four services, PostgreSQL)
//	go.temporal.io/server/cmd/tools/sql          the SQL schema tool (create-database, setup-schema, update-schema)
//	github.com/temporalio/ui-server/v2/cmd/server the Web UI server of the cluster
//
// scripts/install-temporal.sh builds them from here with `go build` (CGO_ENABLED=0, -ldflags "-s -w"):
// one module graph, so the packages they share compile once and the versions cannot drift apart.
// The build tag keeps this file out of every build; it only makes `go mod tidy` keep the requirements.
package tools

import (
	_ "github.com/temporalio/cli/cmd/temporal"
	_ "github.com/temporalio/ui-server/v2/cmd/server"
	_ "go.temporal.io/server/cmd/server"
	_ "go.temporal.io/server/cmd/tools/sql"
)
