package auth

import "fmt"

// MarshalText writes the level's name, so an Access reads naturally in
// JSON ("read", "write").
func (a Access) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText parses "none", "read" or "write".
func (a *Access) UnmarshalText(b []byte) error {
	switch string(b) {
	case "none":
		*a = AccessNone
	case "read":
		*a = AccessRead
	case "write":
		*a = AccessWrite
	default:
		return fmt.Errorf("access %q is not one of none, read, write", b)
	}
	return nil
}
