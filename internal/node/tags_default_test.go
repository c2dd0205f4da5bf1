//go:build !libsecp256k1

package node_test

const buildTags = ""
