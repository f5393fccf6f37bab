package email

import (
	"fmt"
	"math/big"
	"net"
	"net/mail"
	"strconv"
	"time"

	"github.com/zclconf/go-cty/cty"
)

// TLS modes of the starttls setting.
const (
	tlsRequired      = "required"
	tlsOpportunistic = "opportunistic"
	tlsNone          = "none"
)

// settings is a validated connection block.
type settings struct {
	addr     string // host:port
	host     string
	username string
	password string
	auth     string // "", "plain" or "login"
	from     *mail.Address
	starttls string
	timeout  time.Duration
}

func parseSettings(v cty.Value) (settings, error) {
	s := settings{
		host:     str(v, "host"),
		username: str(v, "username"),
		password: str(v, "password"),
		auth:     str(v, "auth"),
		starttls: str(v, "starttls"),
		timeout:  30 * time.Second,
	}
	if s.host == "" {
		return s, fmt.Errorf("email: host is empty")
	}
	port := int64(587)
	if p := attr(v, "port"); !p.IsNull() {
		n, acc := p.AsBigFloat().Int64()
		if acc != big.Exact || n < 1 || n > 65535 {
			return s, fmt.Errorf("email: port %s is not a TCP port", p.AsBigFloat().Text('f', -1))
		}
		port = n
	}
	s.addr = net.JoinHostPort(s.host, strconv.FormatInt(port, 10))
	from, err := mail.ParseAddress(str(v, "from"))
	if err != nil {
		return s, fmt.Errorf("email: from: %w", err)
	}
	s.from = from
	switch s.auth {
	case "", "plain", "login":
	default:
		return s, fmt.Errorf(`email: auth must be "plain" or "login", not %q`, s.auth)
	}
	switch s.starttls {
	case "":
		s.starttls = tlsRequired
	case tlsRequired, tlsOpportunistic, tlsNone:
	default:
		return s, fmt.Errorf(`email: starttls must be "required", "opportunistic" or "none", not %q`, s.starttls)
	}
	if s.password != "" && s.username == "" {
		return s, fmt.Errorf("email: a password is set but no username")
	}
	if t := str(v, "timeout"); t != "" {
		d, err := time.ParseDuration(t)
		if err != nil || d <= 0 {
			return s, fmt.Errorf("email: timeout %q is not a positive duration", t)
		}
		s.timeout = d
	}
	return s, nil
}

// attr returns the named attribute of an object, or null when the object
// is null or lacks it.
func attr(v cty.Value, name string) cty.Value {
	if v == cty.NilVal || v.IsNull() || !v.Type().IsObjectType() || !v.Type().HasAttribute(name) {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return v.GetAttr(name)
}

// str returns a known string attribute, or "".
func str(v cty.Value, name string) string {
	a := attr(v, name)
	if a.IsNull() || !a.IsKnown() || a.Type() != cty.String {
		return ""
	}
	return a.AsString()
}
