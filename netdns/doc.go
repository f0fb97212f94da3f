// Package netdns gives containers their networks the way Docker Compose
// does, on one machine and without a daemon of Docker's: one Linux bridge per
// network with its own subnet (IPAM), veth pairs plumbed into a network
// namespace given by its path, the files a container needs to resolve names
// (/etc/hosts, /etc/resolv.conf, /etc/hostname), outbound NAT and published
// ports in berth's own nftables table, and a DNS server on each bridge that
// answers from a narrow name Backend.
//
// netdns knows nothing of containers or runtimes: it plumbs a namespace by
// its path (e.g. /proc/<pid>/ns/net) and the scheduler wires the rest. Its
// state lives in one file under a root directory, so a restarted daemon
// re-adopts every network, address, name and published port.
//
// A container's life, as the scheduler drives it:
//
//	m, _ := netdns.Open(ctx, netdns.Options{Root: "/var/lib/berth/networks"})
//	m.CreateNetwork(ctx, netdns.NetworkSpec{Name: "app_default", Owner: "app"})
//	m.CheckPorts(ctx, ports)                  // before any container starts
//	ep, _ := m.Attach(ctx, "/proc/<pid>/ns/net", netdns.AttachSpec{
//		Network: "app_default", ID: id, IfName: "eth0", DefaultRoute: true})
//	netdns.WriteFiles(dir, hostsSpec, netdns.ResolvSpec{Nameserver: ep.Gateway})
//	m.Publish(ctx, portSpec)                  // per published port
//	// start the user process, then:
//	m.Register(ctx, netdns.Record{ID: id, Network: "app_default",
//		Addrs: []netip.Addr{ep.IPv4.Addr()}, Service: "web",
//		Names: []string{"app-web-1", hostname, alias}})
//	// on stop: Unregister, Detach (drops its ports, releases addresses),
//	// and RemoveNetwork(ctx, "app_default", "app") on down.
package netdns
