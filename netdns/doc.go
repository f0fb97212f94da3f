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
package netdns
