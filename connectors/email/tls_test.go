package email

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// selfSigned returns a server TLS config for 127.0.0.1 and a pool that
// trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "tote test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

func TestStartTLS(t *testing.T) {
	serverTLS, roots := selfSigned(t)
	for _, mode := range []string{"required", "opportunistic"} {
		t.Run(mode, func(t *testing.T) {
			srv := newStub(t, stubOptions{tlsConfig: serverTLS, requireTLS: true, login: [2]string{"shop", password}})
			c := openConn(t, newTestConnector(), config(t, srv.addr, map[string]cty.Value{
				"starttls": cty.StringVal(mode),
				"username": cty.StringVal("shop"), "password": cty.StringVal(password),
			}))
			c.(*conn).tls.RootCAs = roots
			if _, err := send(t, c, sendArgs(nil)); err != nil {
				t.Fatal(err)
			}
			msgs := srv.messages()
			if len(msgs) != 1 || !msgs[0].tls {
				t.Errorf("messages %d, over TLS: %v", len(msgs), len(msgs) == 1 && msgs[0].tls)
			}
		})
	}
}

func TestStartTLSUntrustedCertificate(t *testing.T) {
	serverTLS, _ := selfSigned(t)
	srv := newStub(t, stubOptions{tlsConfig: serverTLS})
	tc := newTestConnector()
	conn := openConn(t, tc, config(t, srv.addr, map[string]cty.Value{"starttls": cty.StringVal("required")}))
	_, err := send(t, conn, sendArgs(nil))
	if err == nil || !connectors.IsPermanent(err) || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("error %v: want a permanent certificate error", err)
	}
	if len(srv.messages()) != 0 || len(tc.pauses()) != 0 {
		t.Errorf("%d messages, %d retries", len(srv.messages()), len(tc.pauses()))
	}
}
