// The /etc/hosts and /etc/resolv.conf of a pod, as the kubelet writes them
// (pkg/kubelet/kubelet_pods.go managedHostsFileContent, pkg/kubelet/network/dns). Pure text
// from data; the runtime writes the result into the sandbox's files, which every container of
// the pod shares because they join the sandbox's network namespace.

/** One /etc/hosts line: `ip<TAB>name<TAB>alias...`. */
export interface HostAlias {
  ip: string;
  hostnames: string[];
}

/**
 * The pod's /etc/hosts: localhost lines, then the pod's IP with its FQDN (when it has a
 * subdomain) and its hostname, then the hostAliases under their own heading.
 */
export function renderHostsFile(podIP: string | undefined, hostname: string, fqdn: string | undefined, aliases: HostAlias[]): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  if (podIP) lines.push(fqdn ? `${podIP}\t${fqdn}\t${hostname}` : `${podIP}\t${hostname}`);
  return `${lines.join('\n')}\n${renderHostAliases(aliases)}`;
}

/** The hostAliases section (also appended to the node's file for hostNetwork pods). */
export function renderHostAliases(aliases: HostAlias[]): string {
  const entries = aliases.filter((a) => a.hostnames.length > 0);
  if (entries.length === 0) return '';
  return `\n# Entries added by HostAliases.\n${entries.map((a) => `${a.ip}\t${a.hostnames.join('\t')}`).join('\n')}\n`;
}

export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  /** `ndots:5`, `edns0`. */
  options: string[];
}

export function renderResolvConf(conf: ResolvConf): string {
  const lines = conf.nameservers.map((s) => `nameserver ${s}`);
  if (conf.searches.length) lines.push(`search ${conf.searches.join(' ')}`);
  if (conf.options.length) lines.push(`options ${conf.options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/** Reads a resolv.conf's nameservers, search list and options (the last search/options line wins, as in glibc). */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [keyword, ...rest] = line.split(/\s+/);
    if (keyword === 'nameserver' && rest[0]) conf.nameservers.push(rest[0]);
    else if (keyword === 'search' || keyword === 'domain') conf.searches = rest;
    else if (keyword === 'options') conf.options = rest;
  }
  return conf;
}
