package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/auth"
	"github.com/ballast-chain/ballast/internal/exchangedb"
	"github.com/coder/websocket"
)

// userCall makes an account API call with an optional bearer token.
func userCall(t *testing.T, base, method, path, token string, body any) (int, map[string]any, *http.Response) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m, resp
}

func TestUserAccountSecurity(t *testing.T) {
	// Keep the TOTP steps used below inside one window of skew.
	if r := time.Now().Unix() % 30; r > 25 {
		time.Sleep(time.Duration(31-r) * time.Second)
	}
	a, _, v := setupVenue(t, Config{Listen: "127.0.0.1:0"})
	base := a.base
	cred := map[string]string{"email": "u@x", "password": "correct horse"}
	if code, m, _ := userCall(t, base, "POST", "/user/v1/signup", "", cred); code != 200 || m["userId"] == nil {
		t.Fatalf("signup %d %v", code, m)
	}
	if code, m, _ := userCall(t, base, "POST", "/user/v1/signup", "", cred); code != 400 {
		t.Fatalf("duplicate signup %d %v", code, m)
	}
	if code, m, _ := userCall(t, base, "POST", "/user/v1/login", "", map[string]string{"email": "u@x", "password": "wrong pass"}); code != 401 || m["code"] != -1002.0 {
		t.Fatalf("wrong password %d %v", code, m)
	}
	code, m, resp := userCall(t, base, "POST", "/user/v1/login", "", cred)
	if code != 200 {
		t.Fatalf("login %d %v", code, m)
	}
	tok := m["token"].(string)
	if c := resp.Cookies(); len(c) != 1 || c[0].Name != sessionCookie || !c[0].HttpOnly || !c[0].Secure || c[0].SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %v", c)
	}
	if code, _, _ := userCall(t, base, "GET", "/user/v1/me", "nope", nil); code != 401 {
		t.Fatalf("bad session %d", code)
	}
	// Anti-phishing code: in every answer to the session.
	if code, m, _ := userCall(t, base, "PUT", "/user/v1/antiPhishing", tok, map[string]string{"code": "x"}); code != 400 {
		t.Fatalf("short anti-phishing code %d %v", code, m)
	}
	if code, m, _ := userCall(t, base, "PUT", "/user/v1/antiPhishing", tok, map[string]string{"code": "Blue-Heron7"}); code != 200 {
		t.Fatalf("anti-phishing %d %v", code, m)
	}
	if _, m, _ := userCall(t, base, "GET", "/user/v1/me", tok, nil); m["antiPhishingCode"] != "Blue-Heron7" || m["twoFactor"] != false {
		t.Fatalf("me %v", m)
	}
	// A withdraw key needs 2FA.
	if code, m, _ := userCall(t, base, "POST", "/user/v1/apiKeys", tok, map[string]any{"permissions": []string{"read", "withdraw"}}); code != 403 {
		t.Fatalf("withdraw key without 2FA %d %v", code, m)
	}
	// Enrol and confirm TOTP.
	_, m, _ = userCall(t, base, "POST", "/user/v1/2fa/enroll", tok, nil)
	sec := auth.Secret(m["secret"].(string))
	if !strings.HasPrefix(m["otpauthUrl"].(string), "otpauth://totp/") {
		t.Fatalf("enroll %v", m)
	}
	now := time.Now()
	codeAt := func(d time.Duration) string { c, _ := auth.TOTPCode(sec, now.Add(d)); return c }
	if code, m, _ := userCall(t, base, "POST", "/user/v1/2fa/confirm", tok, map[string]string{"totp": "000000"}); code != 401 {
		t.Fatalf("confirm with a wrong code %d %v", code, m)
	}
	if code, m, _ := userCall(t, base, "POST", "/user/v1/2fa/confirm", tok, map[string]string{"totp": codeAt(-30 * time.Second)}); code != 200 {
		t.Fatalf("confirm %d %v", code, m)
	}
	login := func(totp string) int {
		c, _, _ := userCall(t, base, "POST", "/user/v1/login", "", map[string]string{"email": "u@x", "password": "correct horse", "totp": totp})
		return c
	}
	if c := login(""); c != 401 {
		t.Fatalf("login without TOTP %d", c)
	}
	if c := login(codeAt(-30 * time.Second)); c != 401 {
		t.Fatalf("login with the confirming (used) code %d", c)
	}
	if c := login(codeAt(0)); c != 200 {
		t.Fatalf("login with TOTP %d", c)
	}
	if c := login(codeAt(0)); c != 401 {
		t.Fatalf("reused TOTP %d", c)
	}
	// Withdraw with a fresh code works; a reused one does not.
	if code, m, _ := userCall(t, base, "POST", "/user/v1/apiKeys", tok, map[string]any{"permissions": []string{"read", "withdraw"}, "totp": codeAt(0)}); code != 401 {
		t.Fatalf("withdraw key with a used code %d %v", code, m)
	}
	code, m, _ = userCall(t, base, "POST", "/user/v1/apiKeys", tok, map[string]any{"label": "w", "permissions": []string{"read", "withdraw"}, "totp": codeAt(30 * time.Second)})
	if code != 200 || m["secretKey"] == nil || m["antiPhishingCode"] != "Blue-Heron7" {
		t.Fatalf("withdraw key %d %v", code, m)
	}
	wkey := m["apiKey"].(string)
	// Keys: read-only, IP-restricted, read+trade; list never shows secrets.
	mk := func(perms []string, ips []string) *client {
		code, m, _ := userCall(t, base, "POST", "/user/v1/apiKeys", tok, map[string]any{"permissions": perms, "ipAllowList": ips})
		if code != 200 {
			t.Fatalf("create key %d %v", code, m)
		}
		return &client{t: t, base: base, key: m["apiKey"].(string), secret: auth.Secret(m["secretKey"].(string))}
	}
	ro, far, rw := mk(nil, nil), mk([]string{"read", "trade"}, []string{"10.0.0.0/8"}), mk([]string{"read", "trade"}, nil)
	_, m, _ = userCall(t, base, "GET", "/user/v1/apiKeys", tok, nil)
	if ks := m["apiKeys"].([]any); len(ks) != 4 || strings.Contains(mustJSON(m), ro.secret.Reveal()) {
		t.Fatalf("list keys %v", m)
	}
	order := func() url.Values {
		return url.Values{"symbol": {"BLSTTUSD"}, "side": {"BUY"}, "type": {"LIMIT"}, "timeInForce": {"GTC"}, "quantity": {"1"}, "price": {"1.00"}}
	}
	if code, m, _ := ro.do("GET", "/api/v3/account", nil, true); code != 200 {
		t.Fatalf("read-only key reads %d %v", code, m)
	}
	if code, m, _ := ro.do("POST", "/api/v3/order", order(), true); code != 401 || m["code"] != -2015.0 {
		t.Fatalf("read-only key traded %d %v", code, m)
	}
	if code, m, _ := far.do("GET", "/api/v3/account", nil, true); code != 401 || m["code"] != -2015.0 {
		t.Fatalf("IP allow-list %d %v", code, m)
	}
	if code, m, _ := rw.do("POST", "/api/v3/order", order(), true); code != 400 || m["code"] != -2010.0 {
		t.Fatalf("trade key (no balance) %d %v", code, m)
	}
	if code, m, _ := userCall(t, base, "DELETE", "/user/v1/apiKeys/"+rw.key, tok, nil); code != 200 {
		t.Fatalf("delete key %d %v", code, m)
	}
	if code, m, _ := rw.do("GET", "/api/v3/account", nil, true); code != 401 || m["code"] != -2014.0 {
		t.Fatalf("deleted key %d %v", code, m)
	}
	if code, _, _ := userCall(t, base, "DELETE", "/user/v1/apiKeys/"+wkey, "", nil); code != 401 {
		t.Fatalf("delete without session %d", code)
	}
	if code, _, _ := userCall(t, base, "POST", "/user/v1/logout", tok, nil); code != 200 {
		t.Fatal("logout")
	}
	if code, _, _ := userCall(t, base, "GET", "/user/v1/me", tok, nil); code != 401 {
		t.Fatal("session survived logout")
	}
	// The audit log holds every security event, chained.
	evs, err := v.Audit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := exchangedb.VerifyAudit(evs); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.Kind+":"+e.Detail)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"login_failed:127.0.0.1 wrong password", "login_failed:127.0.0.1 wrong TOTP code",
		"login_failed:127.0.0.1 reused TOTP code", "totp_confirm_failed:wrong code", "totp_enabled:", "totp_required:withdraw_key",
		"totp_failed:withdraw_key: reused code", "anti_phishing_set:", "api_key_created:", "api_key_deleted:",
		"api_key_denied:", "logout:", "login:127.0.0.1"} {
		if !strings.Contains(all, want) {
			t.Errorf("audit log lacks %q:\n%s", want, all)
		}
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestBalanceUpdateStream: an admin credit reaches the listenKey stream as
// balanceUpdate (with the anti-phishing code) and the new position.
func TestBalanceUpdateStream(t *testing.T) {
	a, _, v := setupVenue(t, Config{Listen: "127.0.0.1:0"})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, lk, _ := a.do("POST", "/api/v3/userDataStream", nil, false)
	c, _, err := websocket.Dial(ctx, strings.Replace(a.base, "http", "ws", 1)+"/ws/"+lk["listenKey"].(string), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if err := v.SetUserAntiPhishing(ctx, 1, "Heron-42"); err != nil {
		t.Fatal(err)
	}
	if err := v.Transfer(ctx, 1, "TUSD", -2_5000_0000, "fee refund reversal"); err != nil {
		t.Fatal(err)
	}
	var evs []map[string]any
	for len(evs) < 2 {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		evs = append(evs, m)
	}
	if evs[0]["e"] != "balanceUpdate" || evs[0]["a"] != "TUSD" || evs[0]["d"] != "-2.50000000" || evs[0]["apc"] != "Heron-42" {
		t.Fatalf("balanceUpdate %v", evs[0])
	}
	if evs[1]["e"] != "outboundAccountPosition" {
		t.Fatalf("position %v", evs[1])
	}
}
