package secp256k1

import "testing"

// TestAvailable checks that Available and NewVerifier agree, in builds with
// and without the library.
func TestAvailable(t *testing.T) {
	v, err := NewVerifier()
	if Available != (err == nil) || Available != (v != nil) {
		t.Fatalf("Available = %v, NewVerifier = %v, %v", Available, v, err)
	}
}
