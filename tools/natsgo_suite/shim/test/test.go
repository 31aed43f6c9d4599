// Package test is a stand-in for nats-server's test package (see the server
// shim): RunServer starts the external server under test.
package test

import (
	"github.com/nats-io/nats-server/v2/server"
)

// DefaultTestOptions are nats-server's test defaults.
var DefaultTestOptions = server.Options{
	Host:                  "127.0.0.1",
	Port:                  4222,
	NoLog:                 true,
	NoSigs:                true,
	MaxControlLine:        4096,
	DisableShortFirstPing: true,
}

// RunDefaultServer starts a server with DefaultTestOptions.
func RunDefaultServer() *server.Server {
	return RunServer(&DefaultTestOptions)
}

// RunServer starts a server with the given options; panics on failure, as
// nats-server's does.
func RunServer(opts *server.Options) *server.Server {
	if opts == nil {
		opts = &DefaultTestOptions
	}
	s, err := server.Start(opts, "")
	if err != nil {
		panic(err)
	}
	return s
}

// RunServerWithConfig starts a server with a configuration file.
func RunServerWithConfig(configFile string) (*server.Server, *server.Options) {
	s, err := server.Start(nil, configFile)
	if err != nil {
		panic(err)
	}
	return s, &server.Options{ConfigFile: configFile}
}
