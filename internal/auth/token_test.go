package auth

import (
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var secret = []byte("test-secret-of-some-length")

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerify(t *testing.T) {
	now := time.Now()
	exp := now.Add(7 * 24 * time.Hour).Unix()
	v := NewVerifier(secret)
	tests := []struct {
		name    string
		token   string
		user    string
		wantErr error
	}{
		{"frontend token, numeric userId", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"userId": 42, "iat": now.Unix(), "exp": exp}), "42", nil},
		{"string userId", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"userId": "u-7", "exp": exp}), "u-7", nil},
		{"sub", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "alice", "exp": exp}), "alice", nil},
		{"no token", "", "", ErrNoToken},
		{"garbage", "not.a.jwt", "", ErrInvalidToken},
		{"wrong secret", sign(t, jwt.SigningMethodHS256, []byte("another-secret-entirely"), jwt.MapClaims{"userId": 1, "exp": exp}), "", ErrInvalidToken},
		{"expired", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"userId": 1, "exp": now.Add(-time.Hour).Unix()}), "", ErrExpiredToken},
		{"no exp", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"userId": 1}), "", ErrInvalidToken},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, jwt.MapClaims{"userId": 1, "exp": exp}), "", ErrInvalidToken},
		{"HS512", sign(t, jwt.SigningMethodHS512, secret, jwt.MapClaims{"userId": 1, "exp": exp}), "", ErrInvalidToken},
		{"no user", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"exp": exp}), "", ErrInvalidToken},
		{"fractional userId", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"userId": 1.5, "exp": exp}), "", ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := v.Verify(tt.token)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
			if u.ID != tt.user {
				t.Errorf("user = %q, want %q", u.ID, tt.user)
			}
		})
	}
}

func TestIssueRoundTrip(t *testing.T) {
	for _, id := range []string{"1", "bob"} {
		tok, err := Issue(secret, User{ID: id, Email: "x@example.com"}, time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		u, err := NewVerifier(secret).Verify(tok)
		if err != nil || u.ID != id || u.Email != "x@example.com" {
			t.Errorf("round trip of %q = %+v, %v", id, u, err)
		}
	}
}
