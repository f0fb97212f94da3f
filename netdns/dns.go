package netdns

import (
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Handler answers DNS queries: names the Backend knows from it, everything
// else from upstream resolvers. It is the protocol half; names are the
// Backend's business.
type Handler struct {
	Backend Backend
	// Upstreams are the default resolvers ("host:port"); empty, or Forward
	// false, answers unknown names with SERVFAIL (an internal network).
	Upstreams []string
	Forward   bool
	Timeout   time.Duration // per upstream attempt; 0 for 2s
}

var _ dns.Handler = (*Handler)(nil)

// ttl is short: answers change the moment a container starts or stops.
const ttl = 5

// ServeDNS implements dns.Handler.
func (h *Handler) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	client := clientAddr(w.RemoteAddr())
	if len(req.Question) != 1 {
		_ = w.WriteMsg(new(dns.Msg).SetRcode(req, dns.RcodeFormatError))
		return
	}
	if resp := h.answerLocal(client, req); resp != nil {
		_ = w.WriteMsg(resp)
		return
	}
	_ = w.WriteMsg(h.forward(client, req, w.RemoteAddr().Network()))
}

// answerLocal answers from the Backend, or returns nil for names it does
// not know.
func (h *Handler) answerLocal(client netip.Addr, req *dns.Msg) *dns.Msg {
	q := req.Question[0]
	if q.Qclass != dns.ClassINET {
		return nil
	}
	switch q.Qtype {
	case dns.TypePTR:
		return h.answerPTR(client, req)
	case dns.TypeA, dns.TypeAAAA, dns.TypeANY, dns.TypeMX, dns.TypeTXT, dns.TypeSRV:
	default:
		return nil
	}
	addrs, known := h.Backend.Lookup(client, q.Name)
	if !known {
		return nil
	}
	resp := new(dns.Msg).SetReply(req)
	resp.Authoritative, resp.RecursionAvailable = true, true
	for _, a := range addrs {
		if rr := addrRR(q, a); rr != nil {
			resp.Answer = append(resp.Answer, rr)
		}
	}
	return resp // a known name without this family is NOERROR, no answer
}

func addrRR(q dns.Question, a netip.Addr) dns.RR {
	hdr := dns.RR_Header{Name: q.Name, Class: dns.ClassINET, Ttl: ttl}
	switch {
	case a.Is4() && (q.Qtype == dns.TypeA || q.Qtype == dns.TypeANY):
		hdr.Rrtype = dns.TypeA
		return &dns.A{Hdr: hdr, A: a.AsSlice()}
	case a.Is6() && (q.Qtype == dns.TypeAAAA || q.Qtype == dns.TypeANY):
		hdr.Rrtype = dns.TypeAAAA
		return &dns.AAAA{Hdr: hdr, AAAA: a.AsSlice()}
	}
	return nil
}

func (h *Handler) answerPTR(client netip.Addr, req *dns.Msg) *dns.Msg {
	q := req.Question[0]
	addr, ok := parseReverse(q.Name)
	if !ok {
		return nil
	}
	names := h.Backend.Reverse(client, addr)
	if len(names) == 0 {
		return nil
	}
	resp := new(dns.Msg).SetReply(req)
	resp.Authoritative, resp.RecursionAvailable = true, true
	for _, n := range names {
		hdr := dns.RR_Header{Name: q.Name, Rrtype: dns.TypePTR, Class: dns.ClassINET, Ttl: ttl}
		resp.Answer = append(resp.Answer, &dns.PTR{Hdr: hdr, Ptr: dns.Fqdn(n)})
	}
	return resp
}

// parseReverse turns an in-addr.arpa or ip6.arpa name into its address.
func parseReverse(name string) (netip.Addr, bool) {
	ip := net.ParseIP(reverseToIP(strings.ToLower(name)))
	if ip == nil {
		return netip.Addr{}, false
	}
	a, _ := netip.AddrFromSlice(ip)
	return a.Unmap(), true
}

func reverseToIP(name string) string {
	if v4, ok := strings.CutSuffix(name, ".in-addr.arpa."); ok {
		l := strings.Split(v4, ".")
		if len(l) != 4 {
			return ""
		}
		return l[3] + "." + l[2] + "." + l[1] + "." + l[0]
	}
	v6, ok := strings.CutSuffix(name, ".ip6.arpa.")
	l := strings.Split(v6, ".")
	if !ok || len(l) != 32 {
		return ""
	}
	var b strings.Builder
	for i := 31; i >= 0; i-- {
		b.WriteString(l[i])
		if i%4 == 0 && i > 0 {
			b.WriteByte(':')
		}
	}
	return b.String()
}

func clientAddr(a net.Addr) netip.Addr {
	if ap, err := netip.ParseAddrPort(a.String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// forward asks the client's upstreams, then the default ones, in turn, over
// the transport the client used; SERVFAIL when none answers in time.
func (h *Handler) forward(client netip.Addr, req *dns.Msg, network string) *dns.Msg {
	ups := h.Backend.Upstreams(client)
	if len(ups) == 0 {
		ups = h.Upstreams
	}
	if h.Forward {
		c := &dns.Client{Net: network, Timeout: h.timeout()}
		for _, up := range ups {
			resp, _, err := c.Exchange(req, up)
			if err == nil && resp.Rcode != dns.RcodeServerFailure {
				resp.Id = req.Id
				return resp
			}
		}
	}
	return new(dns.Msg).SetRcode(req, dns.RcodeServerFailure)
}

func (h *Handler) timeout() time.Duration {
	if h.Timeout == 0 {
		return 2 * time.Second
	}
	return h.Timeout
}
