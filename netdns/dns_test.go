package netdns

import (
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// fakeBackend knows a fixed set of names, whoever asks.
type fakeBackend struct {
	names     map[string][]netip.Addr
	ptr       map[netip.Addr]string
	upstreams []string

	mu    sync.Mutex
	asked []netip.Addr // clients seen
}

var _ Backend = (*fakeBackend)(nil)

func (f *fakeBackend) Lookup(client netip.Addr, name string) ([]netip.Addr, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, client)
	a, ok := f.names[name]
	return a, ok
}

func (f *fakeBackend) Reverse(client, a netip.Addr) []string {
	if n, ok := f.ptr[a]; ok {
		return []string{n}
	}
	return nil
}

func (f *fakeBackend) Upstreams(netip.Addr) []string { return f.upstreams }

// startUpstream runs a fake upstream resolver on 127.0.0.1 (UDP and TCP)
// that answers every A query with 192.0.2.7.
func startUpstream(t *testing.T) string {
	t.Helper()
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg).SetReply(r)
		m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: r.Question[0].Name,
			Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(192, 0, 2, 7)})
		_ = w.WriteMsg(m)
	})
	s := listenLoopback(t, h)
	return s.UDPAddr().String()
}

// listenLoopback serves h on 127.0.0.1 with one port for UDP and TCP.
func listenLoopback(t *testing.T, h dns.Handler) *Server {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ap := netip.MustParseAddrPort(pc.LocalAddr().String())
		pc.Close()
		if s, err := Listen(ap, h); err == nil {
			t.Cleanup(func() { _ = s.Close() })
			return s
		}
	}
	t.Fatal("no port free for UDP and TCP")
	return nil
}

func query(t *testing.T, server, network, name string, qtype uint16) *dns.Msg {
	t.Helper()
	c := &dns.Client{Net: network, Timeout: 5 * time.Second}
	resp, _, err := c.Exchange(new(dns.Msg).SetQuestion(dns.Fqdn(name), qtype), server)
	if err != nil {
		t.Fatalf("query %s %s over %s: %v", name, dns.TypeToString[qtype], network, err)
	}
	return resp
}

func answers(m *dns.Msg) []string {
	var out []string
	for _, rr := range m.Answer {
		switch rr := rr.(type) {
		case *dns.A:
			out = append(out, rr.A.String())
		case *dns.AAAA:
			out = append(out, rr.AAAA.String())
		case *dns.PTR:
			out = append(out, rr.Ptr)
		}
	}
	return out
}

func TestHandlerAnswersFromBackend(t *testing.T) {
	t.Parallel()
	fb := &fakeBackend{
		names: map[string][]netip.Addr{"web.": {addr("172.18.0.2"), addr("fd00::2")}},
		ptr:   map[netip.Addr]string{addr("172.18.0.2"): "app-web-1"},
	}
	s := listenLoopback(t, &Handler{Backend: fb})
	for _, network := range []string{"udp", "tcp"} {
		addrSrv := s.UDPAddr().String()
		if got := answers(query(t, addrSrv, network, "web", dns.TypeA)); !slices.Equal(got, []string{"172.18.0.2"}) {
			t.Errorf("%s A web = %v", network, got)
		}
		if got := answers(query(t, addrSrv, network, "web", dns.TypeAAAA)); !slices.Equal(got, []string{"fd00::2"}) {
			t.Errorf("%s AAAA web = %v", network, got)
		}
		if got := answers(query(t, addrSrv, network, "2.0.18.172.in-addr.arpa", dns.TypePTR)); !slices.Equal(got, []string{"app-web-1."}) {
			t.Errorf("%s PTR = %v", network, got)
		}
	}
	fb.mu.Lock()
	defer fb.mu.Unlock()
	if fb.asked[0] != addr("127.0.0.1") {
		t.Errorf("backend asked for client %s, want 127.0.0.1", fb.asked[0])
	}
}

func TestHandlerKnownNameWithoutFamilyIsNoData(t *testing.T) {
	t.Parallel()
	fb := &fakeBackend{names: map[string][]netip.Addr{"db.": {addr("172.18.0.3")}}}
	s := listenLoopback(t, &Handler{Backend: fb, Forward: true, Upstreams: []string{startUpstream(t)}})
	resp := query(t, s.UDPAddr().String(), "udp", "db", dns.TypeAAAA)
	if resp.Rcode != dns.RcodeSuccess || len(resp.Answer) != 0 {
		t.Fatalf("AAAA db: rcode %s answers %v; want NOERROR, none", dns.RcodeToString[resp.Rcode], answers(resp))
	}
}

func TestHandlerForwardsUnknownNames(t *testing.T) {
	t.Parallel()
	up := startUpstream(t)
	s := listenLoopback(t, &Handler{Backend: &fakeBackend{}, Forward: true, Upstreams: []string{up}})
	for _, network := range []string{"udp", "tcp"} {
		resp := query(t, s.UDPAddr().String(), network, "example.org", dns.TypeA)
		if !slices.Equal(answers(resp), []string{"192.0.2.7"}) {
			t.Errorf("%s forwarded answer %v", network, answers(resp))
		}
	}
	// A PTR for an address the backend does not know goes upstream too.
	if resp := query(t, s.UDPAddr().String(), "udp", "7.2.0.192.in-addr.arpa", dns.TypePTR); resp.Rcode != dns.RcodeSuccess {
		t.Errorf("forwarded PTR rcode %s", dns.RcodeToString[resp.Rcode])
	}
}

func TestHandlerPrefersClientUpstreams(t *testing.T) {
	t.Parallel()
	dead := deadUpstream(t)
	fb := &fakeBackend{upstreams: []string{startUpstream(t)}}
	s := listenLoopback(t, &Handler{Backend: fb, Forward: true, Upstreams: []string{dead}, Timeout: 200 * time.Millisecond})
	if got := answers(query(t, s.UDPAddr().String(), "udp", "example.org", dns.TypeA)); !slices.Equal(got, []string{"192.0.2.7"}) {
		t.Fatalf("answer %v", got)
	}
}

// deadUpstream returns a loopback UDP address that never answers.
func deadUpstream(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().String()
}

func TestHandlerServfailWhenUpstreamsFail(t *testing.T) {
	t.Parallel()
	tests := map[string]*Handler{
		"silent upstream": {Backend: &fakeBackend{}, Forward: true, Upstreams: []string{deadUpstream(t)}, Timeout: 200 * time.Millisecond},
		"no upstream":     {Backend: &fakeBackend{}, Forward: true},
		"internal":        {Backend: &fakeBackend{}, Forward: false, Upstreams: []string{startUpstream(t)}},
	}
	for name, h := range tests {
		s := listenLoopback(t, h)
		if resp := query(t, s.UDPAddr().String(), "udp", "example.org", dns.TypeA); resp.Rcode != dns.RcodeServerFailure {
			t.Errorf("%s: rcode %s, want SERVFAIL", name, dns.RcodeToString[resp.Rcode])
		}
	}
}

func TestParseReverse(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"4.3.2.1.in-addr.arpa.": "1.2.3.4",
		"2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.7.0.0.0.0.0.d.f.ip6.arpa.": "fd00:7::2",
	}
	for name, want := range tests {
		if a, ok := parseReverse(name); !ok || a.String() != want {
			t.Errorf("parseReverse(%s) = %s, %v", name, a, ok)
		}
	}
	for _, bad := range []string{"3.2.1.in-addr.arpa.", "x.ip6.arpa.", "example.org."} {
		if _, ok := parseReverse(bad); ok {
			t.Errorf("parseReverse(%s) accepted", bad)
		}
	}
}
