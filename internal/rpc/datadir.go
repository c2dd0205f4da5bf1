package rpc

import (
	"os"
	"path/filepath"
)

// DefaultBaseDir is the data directory used when none is given: ~/.ballast
// (or ./.ballast when the home directory is unknown).
func DefaultBaseDir() string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ".ballast"
	}
	return filepath.Join(home, ".ballast")
}

// DataDir returns the directory of one network inside a base data
// directory: <base>/<network> for every network, mainnet included (unlike
// Core, whose mainnet files sit at the top), so networks never share files
// and a file network named in a parameters file gets its own directory.
// The node keeps its state there and writes the RPC cookie to
// <base>/<network>/.cookie; "ballast rpc" reads it from the same place.
func DataDir(base, network string) string { return filepath.Join(base, network) }

// CookiePath returns the cookie file of a network's data directory.
func CookiePath(networkDir string) string { return filepath.Join(networkDir, CookieFileName) }
