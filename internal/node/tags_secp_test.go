//go:build libsecp256k1

package node_test

// buildTags makes the binary under test use the verifier the test binary
// was built with.
const buildTags = "libsecp256k1"
