// Where names outside the cluster go: the node's own resolvers, read from a resolv.conf, as
// CoreDNS's default Corefile says (`forward . /etc/resolv.conf`) and as the kubelet's
// --resolv-conf flag feeds it. No address is ever written into kubelab: the host knows its
// resolvers (DHCP, the admin, a VPN client wrote them there).
//
// systemd-resolved: its /etc/resolv.conf lists only its stub listener, 127.0.0.53, and the real
// resolvers are in /run/systemd/resolve/resolv.conf. The kubelet's documentation tells users to
// pass that file, because a pod (or a CoreDNS pod) that asks 127.0.0.53 asks its own loopback and
// loops. kubelab does it on its own: when every nameserver of the file is a systemd-resolved stub
// and the real file is there, the real one is used. (kubelab's DNS runs in the node's network
// namespace, where the stub might answer; on a lab host, a namespace of its own, it would not.)
//
// Pure: the caller reads the files.

import net from 'node:net';

/** systemd-resolved's stub listeners: 127.0.0.53, and 127.0.0.54 (its "proxy" mode). */
export const SYSTEMD_RESOLVED_STUBS = ['127.0.0.53', '127.0.0.54'];
/** Where systemd-resolved writes the resolvers it forwards to (the file the kubelet's --resolv-conf advice names). */
export const SYSTEMD_RESOLVED_UPSTREAM_FILE = '/run/systemd/resolve/resolv.conf';

/** The `nameserver` addresses of a resolv.conf, in order (IPv6 zone ids dropped; what is not an address skipped). */
export function parseResolvConf(text: string): string[] {
  const servers: string[] = [];
  for (const line of text.split('\n')) {
    const [keyword, value] = line.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (keyword !== 'nameserver' || !value) continue;
    const address = value.replace(/%.*$/, '');
    if (net.isIP(address) && !servers.includes(address)) servers.push(address);
  }
  return servers;
}

export interface Upstreams {
  /** The file the addresses came from. */
  file: string;
  nameservers: string[];
  /** Why this file and not the one asked for, or why an address was left out: said once in the log. */
  notes: string[];
}

/**
 * The resolvers to forward to: those of `file`, or of systemd-resolved's real file when `file`
 * lists only its stub; never `ownAddresses` (the DNS server itself: forwarding to it would loop,
 * CoreDNS's `loop` plugin's case).
 */
export function chooseUpstreams(file: string, read: (path: string) => string | undefined, ownAddresses: string[] = []): Upstreams {
  const notes: string[] = [];
  const text = read(file);
  if (text === undefined) return { file, nameservers: [], notes: [`cannot read ${file}`] };
  let chosen = file;
  let nameservers = parseResolvConf(text);
  if (nameservers.length > 0 && nameservers.every((s) => SYSTEMD_RESOLVED_STUBS.includes(s))) {
    const real = read(SYSTEMD_RESOLVED_UPSTREAM_FILE);
    const realServers = real === undefined ? [] : parseResolvConf(real);
    if (realServers.length > 0) {
      notes.push(`${file} lists only systemd-resolved's stub (${nameservers.join(', ')}); forwarding to the resolvers it uses, from ${SYSTEMD_RESOLVED_UPSTREAM_FILE}`);
      chosen = SYSTEMD_RESOLVED_UPSTREAM_FILE;
      nameservers = realServers;
    }
  }
  const loops = nameservers.filter((s) => ownAddresses.includes(s));
  if (loops.length > 0) notes.push(`left out ${loops.join(', ')} of ${chosen}: it is the cluster DNS itself, and forwarding to it would loop`);
  return { file: chosen, nameservers: nameservers.filter((s) => !ownAddresses.includes(s)), notes };
}
