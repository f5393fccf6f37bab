package status

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
)

const (
	authCookie = "tote_status"
	csrfCookie = "tote_csrf"
)

// mac is HMAC-SHA256 of parts under the process's secret, base64url.
func (h *Handler) mac(parts ...string) string {
	m := hmac.New(sha256.New, h.secret)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// loopback reports whether r comes straight from this host: a proxy in
// front (X-Forwarded-For, Forwarded) makes every client look local, so a
// forwarded request is not taken as loopback.
func loopback(r *http.Request) bool {
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// authorized reports whether r may see the page: a loopback client, or
// one with the login cookie a ?token= login set.
func (h *Handler) authorized(r *http.Request) bool {
	if loopback(r) {
		return true
	}
	if h.token == "" {
		return false
	}
	c, err := r.Cookie(authCookie)
	return err == nil && hmac.Equal([]byte(c.Value), []byte(h.mac("login", h.token)))
}

// login checks a ?token= and, when it is right, sets the login cookie
// and redirects to the same page without the token in its address.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) bool {
	given := r.URL.Query().Get("token")
	if h.token == "" || given == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(given)), sha256.Sum256([]byte(h.token))
	if subtle.ConstantTimeCompare(a[:], b[:]) != 1 {
		return false
	}
	http.SetCookie(w, &http.Cookie{Name: authCookie, Value: h.mac("login", h.token), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"})
	q := r.URL.Query()
	q.Del("token")
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
	return true
}

// csrf returns the form token for r's browser, setting the nonce cookie it
// is bound to when the browser has none.
func (h *Handler) csrf(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && c.Value != "" {
		return h.mac("csrf", c.Value)
	}
	nonce := h.newNonce()
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: nonce, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"})
	return h.mac("csrf", nonce)
}

// checkCSRF accepts a form POST only from this page: the Origin (or, when
// a browser sends none, the Referer) is this host, and the form's token is
// the one made for the browser's nonce cookie.
func (h *Handler) checkCSRF(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		origin = r.Header.Get("Referer")
	}
	u, err := url.Parse(origin)
	if origin == "" || err != nil || u.Host != r.Host {
		return false
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil || c.Value == "" {
		return false
	}
	return hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(h.mac("csrf", c.Value)))
}
