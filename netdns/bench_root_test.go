package netdns

import (
	"io"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// The benchmarks below are run by bench/netdns.sh (root; see bench/README.md).
// Each makes its own namespaces like the root tests; traffic stays inside.

// benchNet makes a host namespace, a Manager in it and one network with two
// attached "containers", a and b.
func benchNet(b *testing.B) (host, a, bns string, epA, epB Endpoint, m *Manager) {
	host, m, _ = rootSetup(b)
	if _, err := m.CreateNetwork(b.Context(), NetworkSpec{Name: "bench"}); err != nil {
		b.Fatal(err)
	}
	a, bns = newNetNS(b), newNetNS(b)
	epA, epB = attach(b, m, a, "bench", "a"), attach(b, m, bns, "bench", "b")
	return host, a, bns, epA, epB, m
}

func BenchmarkRootDNS(b *testing.B) {
	_, a, _, epA, epB, m := benchNet(b)
	for _, r := range []Record{
		{ID: "a", Network: "bench", Addrs: []netip.Addr{epA.IPv4.Addr()}, Service: "client"},
		{ID: "b", Network: "bench", Addrs: []netip.Addr{epB.IPv4.Addr()}, Service: "web"},
	} {
		if err := m.Register(b.Context(), r); err != nil {
			b.Fatal(err)
		}
	}
	server := net.JoinHostPort(epA.Gateway.String(), "53")
	const clients = 4
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := range clients {
		conn := dnsConnIn(b, a, server)
		wg.Go(func() {
			for i := c; i < b.N; i += clients {
				t0 := time.Now()
				if err := conn.WriteMsg(new(dns.Msg).SetQuestion("web.", dns.TypeA)); err != nil {
					b.Error(err)
					return
				}
				if _, err := conn.ReadMsg(); err != nil {
					b.Error(err)
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Sorted(slices.Values(slices.Concat(lat...)))
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "queries/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
}

func dnsConnIn(b *testing.B, ns, server string) *dns.Conn {
	c, err := dialIn(ns)(b.Context(), "udp", server)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return &dns.Conn{Conn: c}
}

// sink accepts connections in ns on addr and discards what they send.
func sink(b *testing.B, ns, addr string) string {
	var l net.Listener
	if err := inNetNS(ns, func() (err error) { l, err = net.Listen("tcp", addr); return err }); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	return l.Addr().String()
}

const chunk = 256 << 10

// stream sends b.N chunks from ns to addr over one TCP connection.
func stream(b *testing.B, ns, addr string) {
	c, err := dialIn(ns)(b.Context(), "tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, chunk)
	b.SetBytes(chunk)
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time per GiB: the kernel moves the bytes mostly in this process's
	// context (softirqs run as the sender leaves the kernel), so this cost is
	// less disturbed by other work on the machine than MB/s is.
	b.ReportMetric((cpuTime()-cpu0).Seconds()/(float64(b.N)*chunk/(1<<30)), "cpu-s/GiB")
}

// cpuTime returns the user and system time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRootTCP compares one TCP stream between two containers over the
// bridge with the same over loopback, and a published port with the
// container's address reached directly from the host.
func BenchmarkRootTCP(b *testing.B) {
	b.Run("bridge", func(b *testing.B) {
		_, a, bns, _, epB, _ := benchNet(b)
		_ = sink(b, bns, ":5001")
		stream(b, a, net.JoinHostPort(epB.IPv4.Addr().String(), "5001"))
	})
	b.Run("loopback", func(b *testing.B) {
		host, _, _, _, _, _ := benchNet(b) // the host namespace, with berth's table
		stream(b, host, sink(b, host, "127.0.0.1:0"))
	})
	b.Run("direct", func(b *testing.B) {
		host, _, bns, _, epB, _ := benchNet(b)
		_ = sink(b, bns, ":5001")
		stream(b, host, net.JoinHostPort(epB.IPv4.Addr().String(), "5001"))
	})
	b.Run("published", func(b *testing.B) {
		host, _, bns, _, _, m := benchNet(b)
		_ = sink(b, bns, ":5001")
		p, err := m.Publish(b.Context(), PortSpec{Service: "b", Network: "bench", ID: "b", ContainerPort: 5001})
		if err != nil {
			b.Fatal(err)
		}
		stream(b, host, net.JoinHostPort("127.0.0.1", strconv.Itoa(int(p.HostPort))))
	})
}
