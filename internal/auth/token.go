// Package auth verifies client tokens and decides who may enter a room.
//
// Tokens are the existing frontend's: HS256 JWTs whose payload carries the
// user as "userId" (a number or a string) or "sub", with "iat" and "exp".
// Only HS256 is accepted; "none" and every other algorithm are refused.
// A Verifier is safe for concurrent use.
package auth

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Errors returned by Verify. Each wraps the library's reason.
var (
	// ErrNoToken means the client sent no token.
	ErrNoToken = errors.New("no token")
	// ErrInvalidToken means the token is malformed, badly signed, of another
	// algorithm or carries no user.
	ErrInvalidToken = errors.New("invalid token")
	// ErrExpiredToken means the token's exp has passed.
	ErrExpiredToken = errors.New("token expired")
)

// User is an authenticated client.
type User struct {
	// ID is the frontend's user id, as a decimal string when numeric.
	ID string
	// Email is the token's "email" claim, when present.
	Email string
}

// Verifier checks tokens against one HS256 secret.
type Verifier struct {
	secret []byte
	parser *jwt.Parser
}

// NewVerifier returns a Verifier for secret.
func NewVerifier(secret []byte) *Verifier {
	return &Verifier{
		secret: secret,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithLeeway(30*time.Second),
		),
	}
}

// claims is the frontend's token payload.
type claims struct {
	UserID json.RawMessage `json:"userId,omitempty"`
	Email  string          `json:"email,omitempty"`
	jwt.RegisteredClaims
}

// Verify checks token and returns its user.
func (v *Verifier) Verify(token string) (User, error) {
	if token == "" {
		return User{}, ErrNoToken
	}
	var c claims
	_, err := v.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return v.secret, nil })
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return User{}, fmt.Errorf("%w: %w", ErrExpiredToken, err)
	case err != nil:
		return User{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	id, err := userID(c)
	if err != nil {
		return User{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	return User{ID: id, Email: c.Email}, nil
}

// userID reads the user from "userId" (number or string), else "sub".
func userID(c claims) (string, error) {
	if len(c.UserID) > 0 && string(c.UserID) != "null" {
		var n json.Number
		if err := json.Unmarshal(c.UserID, &n); err == nil {
			if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
				return "", fmt.Errorf("userId %s is not a whole number", n)
			}
			return n.String(), nil
		}
		var s string
		if err := json.Unmarshal(c.UserID, &s); err != nil || s == "" {
			return "", errors.New("userId is neither a number nor a string")
		}
		return s, nil
	}
	if c.Subject != "" {
		return c.Subject, nil
	}
	return "", errors.New("token names no user (userId or sub)")
}

// Issue signs a token for user that expires after ttl, in the frontend's
// shape. It serves development tokens and tests.
func Issue(secret []byte, user User, ttl time.Duration, now time.Time) (string, error) {
	c := claims{
		Email: user.Email,
		RegisteredClaims: jwt.RegisteredClaims{
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
	}
	if _, err := strconv.ParseInt(user.ID, 10, 64); err == nil {
		c.UserID = json.RawMessage(user.ID)
	} else {
		c.Subject = user.ID
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// RandomSecret returns a fresh 32-byte secret, hex encoded.
func RandomSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random secret: %w", err)
	}
	return hex.EncodeToString(b), nil
}
