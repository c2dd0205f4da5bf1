package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/ballast-chain/ballast/internal/auth"
	"github.com/ballast-chain/ballast/internal/exchangedb"
	"github.com/ballast-chain/ballast/internal/venue"
)

// The account endpoints (/user/v1/...): sign-up, login, 2FA, the
// anti-phishing code and API keys. JSON in and out; a session is a bearer
// token ("Authorization: Bearer <token>") or the cookie sessionCookie set
// by login (HttpOnly, Secure, SameSite=Strict). Every answer to a session
// carries the user's anti-phishing code.

const (
	sessionCookie = "ballast_session"
	sessionTTL    = 24 * time.Hour
	// userWeight is the request weight of an account call; password
	// hashing (argon2id, 64 MiB) makes login and sign-up dear, so they
	// weigh more and at most hashSlots run at once.
	userWeight  = 5
	loginWeight = 50
	hashSlots   = 2
)

type userEndpoint struct {
	weight  int
	session bool
	fn      func(ctx context.Context, u *userReq) (any, error)
}

type userReq struct {
	r     *http.Request
	body  []byte
	user  uint64
	token string
	w     http.ResponseWriter
}

func (u *userReq) decode(dst any) error {
	if len(u.body) == 0 {
		return nil
	}
	if err := json.Unmarshal(u.body, dst); err != nil {
		return &venue.APIError{Code: -1100, Msg: "Malformed JSON body."}
	}
	return nil
}

func (s *Server) userRoutes() map[string]userEndpoint {
	return map[string]userEndpoint{
		"POST /user/v1/signup":          {weight: loginWeight, fn: s.userSignup},
		"POST /user/v1/login":           {weight: loginWeight, fn: s.userLogin},
		"POST /user/v1/logout":          {weight: userWeight, session: true, fn: s.userLogout},
		"GET /user/v1/me":               {weight: userWeight, session: true, fn: s.userMe},
		"POST /user/v1/2fa/enroll":      {weight: userWeight, session: true, fn: s.user2FAEnroll},
		"POST /user/v1/2fa/confirm":     {weight: userWeight, session: true, fn: s.user2FAConfirm},
		"PUT /user/v1/antiPhishing":     {weight: userWeight, session: true, fn: s.userAntiPhishing},
		"GET /user/v1/apiKeys":          {weight: userWeight, session: true, fn: s.userKeys},
		"POST /user/v1/apiKeys":         {weight: userWeight, session: true, fn: s.userKeyCreate},
		"DELETE /user/v1/apiKeys/{key}": {weight: userWeight, session: true, fn: s.userKeyDelete},
	}
}

func sessionToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return strings.TrimPrefix(h, "Bearer ")
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}

func (s *Server) serveUser(w http.ResponseWriter, r *http.Request, e userEndpoint) {
	ip := clientIP(r)
	if !s.admit(w, r, ip, e.weight) {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4096))
	if err != nil {
		writeErr(w, 400, -1000, "An unknown error occurred while processing the request.")
		return
	}
	u := &userReq{r: r, body: body, w: w}
	if e.session {
		u.token = sessionToken(r)
		id, err := s.v.SessionUser(r.Context(), u.token)
		if u.token == "" || err != nil {
			writeErr(w, 401, -1002, "You are not authorized to execute this request.")
			return
		}
		u.user = id
	}
	out, err := e.fn(r.Context(), u)
	if err != nil {
		s.userError(w, r, err)
		return
	}
	if u.user != 0 {
		m, ok := out.(map[string]any)
		if !ok {
			m = map[string]any{"data": out}
		}
		m["antiPhishingCode"] = s.v.AntiPhishingCode(r.Context(), u.user)
		out = m
	}
	writeJSON(w, 200, out)
}

func (s *Server) userError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *venue.APIError
	switch {
	case errors.As(err, &ae):
		writeErr(w, 400, ae.Code, ae.Msg)
	case errors.Is(err, venue.ErrInvalidCredentials):
		writeErr(w, 401, -1002, "Invalid email, password or two-factor code.")
	case errors.Is(err, venue.ErrNeed2FA):
		writeErr(w, 403, -1002, "This action requires two-factor authentication.")
	case errors.Is(err, venue.ErrBadCode):
		writeErr(w, 401, -1002, "Wrong or already used two-factor code.")
	case errors.Is(err, venue.ErrInvalidInput), errors.Is(err, auth.ErrPermission), errors.Is(err, auth.ErrIPNotAllowed):
		writeErr(w, 400, -1102, err.Error())
	case errors.Is(err, exchangedb.ErrExists):
		writeErr(w, 400, -1102, "Email already registered.")
	case errors.Is(err, exchangedb.ErrNotFound):
		writeErr(w, 404, -2013, "Not found.")
	default:
		s.log.Error("account request failed", "path", r.URL.Path, "err", err)
		writeErr(w, 500, -1000, "An unknown error occurred while processing the request.")
	}
}

// hashing runs fn holding one of the password-hashing slots, so a burst
// of logins cannot allocate argon2's memory without bound.
func (s *Server) hashing(ctx context.Context, fn func() error) error {
	select {
	case s.hashSem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.hashSem }()
	return fn()
}

type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	TOTP     string `json:"totp"`
}

func (s *Server) userSignup(ctx context.Context, u *userReq) (any, error) {
	var c credentials
	if err := u.decode(&c); err != nil {
		return nil, err
	}
	if len(c.Email) < 3 || len(c.Email) > 254 || !strings.Contains(c.Email, "@") || len(c.Password) < 8 || len(c.Password) > 256 {
		return nil, &venue.APIError{Code: -1102, Msg: "A valid email and a password of 8 to 256 characters are required."}
	}
	var id uint64
	err := s.hashing(ctx, func() (err error) { id, err = s.v.SignUp(ctx, c.Email, c.Password); return err })
	if err != nil {
		return nil, err
	}
	return map[string]any{"userId": id}, nil
}

func (s *Server) userLogin(ctx context.Context, u *userReq) (any, error) {
	var c credentials
	if err := u.decode(&c); err != nil {
		return nil, err
	}
	if len(c.Password) > 256 {
		return nil, venue.ErrInvalidCredentials
	}
	var tok string
	err := s.hashing(ctx, func() (err error) {
		tok, err = s.v.Login(ctx, c.Email, c.Password, c.TOTP, sessionTTL, clientIP(u.r))
		return err
	})
	if err != nil {
		return nil, err
	}
	id, err := s.v.SessionUser(ctx, tok)
	if err != nil {
		return nil, err
	}
	u.user = id
	http.SetCookie(u.w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", MaxAge: int(sessionTTL / time.Second),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	return map[string]any{"userId": id, "token": tok, "expiresIn": int(sessionTTL / time.Second)}, nil
}

func (s *Server) userLogout(ctx context.Context, u *userReq) (any, error) {
	if err := s.v.Logout(ctx, u.user, u.token); err != nil {
		return nil, err
	}
	http.SetCookie(u.w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true,
		SameSite: http.SameSiteStrictMode})
	return map[string]any{}, nil
}

func (s *Server) userMe(ctx context.Context, u *userReq) (any, error) {
	rec, err := s.v.User(ctx, u.user)
	if err != nil {
		return nil, err
	}
	return map[string]any{"userId": rec.ID, "email": rec.Email, "twoFactor": rec.TOTPSecret != "", "createdTime": rec.CreatedMS}, nil
}

func (s *Server) user2FAEnroll(ctx context.Context, u *userReq) (any, error) {
	var b struct {
		TOTP string `json:"totp"` // a code of the current device, when replacing it
	}
	if err := u.decode(&b); err != nil {
		return nil, err
	}
	sec, url, err := s.v.EnrollTOTP(ctx, u.user, b.TOTP)
	if err != nil {
		return nil, err
	}
	return map[string]any{"secret": sec.Reveal(), "otpauthUrl": url}, nil
}

func (s *Server) user2FAConfirm(ctx context.Context, u *userReq) (any, error) {
	var b struct {
		TOTP string `json:"totp"`
	}
	if err := u.decode(&b); err != nil {
		return nil, err
	}
	if err := s.v.ConfirmTOTP(ctx, u.user, b.TOTP); err != nil {
		return nil, err
	}
	return map[string]any{"twoFactor": true}, nil
}

func (s *Server) userAntiPhishing(ctx context.Context, u *userReq) (any, error) {
	var b struct {
		Code string `json:"code"`
	}
	if err := u.decode(&b); err != nil {
		return nil, err
	}
	if err := s.v.SetUserAntiPhishing(ctx, u.user, b.Code); err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}

func keyJSON(k venue.KeyInfo) map[string]any {
	return map[string]any{"apiKey": k.KeyID, "label": k.Label, "permissions": strings.Split(k.Perms.String(), ","),
		"ipAllowList": k.AllowIPs, "createdTime": k.CreatedMS}
}

func (s *Server) userKeys(ctx context.Context, u *userReq) (any, error) {
	ks, err := s.v.UserAPIKeys(ctx, u.user)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(ks))
	for i, k := range ks {
		out[i] = keyJSON(k)
	}
	return map[string]any{"apiKeys": out}, nil
}

func (s *Server) userKeyCreate(ctx context.Context, u *userReq) (any, error) {
	var b struct {
		Label       string   `json:"label"`
		Permissions []string `json:"permissions"` // read, trade, withdraw; default read
		IPAllowList []string `json:"ipAllowList"`
		TOTP        string   `json:"totp"` // required for withdraw
	}
	if err := u.decode(&b); err != nil {
		return nil, err
	}
	if len(b.Permissions) == 0 {
		b.Permissions = []string{"read"}
	}
	perms, err := auth.ParsePermissions(strings.Join(b.Permissions, ","))
	if err != nil {
		return nil, err
	}
	allow, err := auth.ParseAllowList(strings.Join(b.IPAllowList, ","))
	if err != nil {
		return nil, err
	}
	key, sec, err := s.v.CreateUserAPIKey(ctx, u.user, b.Label, perms, allow, b.TOTP)
	if err != nil {
		return nil, err
	}
	out := keyJSON(venue.KeyInfo{KeyID: key, Label: b.Label, Perms: perms, AllowIPs: allow.String(), CreatedMS: time.Now().UnixMilli()})
	out["secretKey"] = sec.Reveal() // shown once; stored only encrypted
	return out, nil
}

func (s *Server) userKeyDelete(ctx context.Context, u *userReq) (any, error) {
	if err := s.v.DeleteAPIKey(ctx, u.user, u.r.PathValue("key")); err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}
