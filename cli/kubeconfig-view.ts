// What `kubectl config view|get-contexts|use-context|set-context` show and change, on the raw
// kubeconfig documents (client-go's clientcmd), as pure functions over parsed YAML:
//
// - merging: several files (KUBECONFIG=a:b) read as one; the first file to name a cluster,
//   user or context wins, as does the first to set current-context. Entries are listed sorted by
//   name and every map's keys sorted, because kubectl prints through sorted maps.
// - minify: only the current context and the cluster and user it names.
// - redaction: `config view` never prints a credential unless asked (`--raw`): certificate and
//   key bytes become `DATA+OMITTED`, tokens and passwords `REDACTED`. Paths to files are shown
//   as written: they are not secret.
//
// The loader that turns a kubeconfig into a connection (lib/client/kubeconfig.ts) is separate:
// it resolves paths and reads files; this module only rewrites what the user sees and edits.

import { stringify } from 'yaml';
import { CliError } from './cli-errors.js';

type Entry = Record<string, unknown> & { name?: string };
type Section = 'clusters' | 'contexts' | 'users';

/** A kubeconfig document as YAML gives it. */
export type RawKubeconfig = Record<string, unknown>;

export const DATA_OMITTED = 'DATA+OMITTED';
export const REDACTED = 'REDACTED';

const SECTIONS: Section[] = ['clusters', 'contexts', 'users'];

function entries(config: RawKubeconfig, section: Section): Entry[] {
  const list = config[section];
  return Array.isArray(list) ? (list as Entry[]).filter((e) => e && typeof e === 'object') : [];
}

function byName(a: Entry, b: Entry): number {
  return String(a.name ?? '').localeCompare(String(b.name ?? ''));
}

/** The merged view of several files, in precedence order. */
export function mergeRawKubeconfigs(configs: RawKubeconfig[]): RawKubeconfig {
  const merged: RawKubeconfig = { apiVersion: 'v1', kind: 'Config', preferences: {} };
  const current = configs.map((c) => c['current-context']).find((c) => typeof c === 'string' && c !== '');
  merged['current-context'] = current ?? '';
  for (const section of SECTIONS) {
    const seen = new Map<string, Entry>();
    for (const config of configs) for (const entry of entries(config, section)) if (!seen.has(String(entry.name))) seen.set(String(entry.name), entry);
    merged[section] = [...seen.values()].sort(byName);
  }
  return merged;
}

/** The context `--minify` keeps: `--context`, else current-context. */
export function minifyKubeconfig(config: RawKubeconfig, contextOverride?: string): RawKubeconfig {
  const contextName = contextOverride ?? (config['current-context'] as string | undefined);
  if (!contextName) throw new CliError('current-context must exist in order to minify');
  const context = entries(config, 'contexts').find((c) => c.name === contextName);
  if (!context) throw new CliError(`cannot locate context ${contextName}`);
  const inner = (context.context ?? {}) as { cluster?: string; user?: string };
  return {
    ...config,
    'current-context': contextName,
    contexts: [context],
    clusters: entries(config, 'clusters').filter((c) => c.name === inner.cluster),
    users: entries(config, 'users').filter((u) => u.name === inner.user),
  };
}

/** Replaces `fields` of `section[].inner` that are set with `replacement`. */
function replaceSet(config: RawKubeconfig, section: Section, inner: string, replacements: Record<string, string>): Entry[] {
  return entries(config, section).map((entry) => {
    const values = { ...((entry[inner] ?? {}) as Record<string, unknown>) };
    for (const [field, replacement] of Object.entries(replacements)) if (values[field] !== undefined && values[field] !== '') values[field] = replacement;
    return { ...entry, [inner]: values };
  });
}

/** kubectl's ShortenConfig: certificate and key bytes omitted, tokens and passwords redacted. */
export function redactKubeconfig(config: RawKubeconfig): RawKubeconfig {
  return {
    ...config,
    clusters: replaceSet(config, 'clusters', 'cluster', { 'certificate-authority-data': DATA_OMITTED }),
    users: replaceSet(config, 'users', 'user', {
      'client-certificate-data': DATA_OMITTED,
      'client-key-data': DATA_OMITTED,
      token: REDACTED,
      password: REDACTED,
    }),
  };
}

/** Keys sorted at every level, entries by name, empty sections as `null`: the YAML kubectl writes and prints. */
export function kubeconfigYaml(config: RawKubeconfig): string {
  const normalized: RawKubeconfig = { ...config };
  for (const section of SECTIONS) {
    const list = entries(config, section).sort(byName);
    normalized[section] = list.length > 0 ? list : null;
  }
  if (normalized['current-context'] === undefined) normalized['current-context'] = '';
  if (normalized.preferences === undefined) normalized.preferences = {};
  return stringify(normalized, { sortMapEntries: true, lineWidth: 0, indentSeq: false });
}

/** The rows of `config get-contexts` (header first): CURRENT NAME CLUSTER AUTHINFO NAMESPACE. */
export function contextRows(config: RawKubeconfig, names: string[] = []): { rows: string[][]; missing: string[] } {
  const all = entries(config, 'contexts').sort(byName);
  const picked = names.length === 0 ? all : all.filter((c) => names.includes(String(c.name)));
  const missing = names.filter((n) => !all.some((c) => c.name === n));
  const rows = picked.map((entry) => {
    const context = (entry.context ?? {}) as { cluster?: string; user?: string; namespace?: string };
    return [entry.name === config['current-context'] ? '*' : '', String(entry.name), context.cluster ?? '', context.user ?? '', context.namespace ?? ''];
  });
  return { rows: [['CURRENT', 'NAME', 'CLUSTER', 'AUTHINFO', 'NAMESPACE'], ...rows], missing };
}

/** Whether the config defines a context of this name. */
export function hasContext(config: RawKubeconfig, name: string): boolean {
  return entries(config, 'contexts').some((c) => c.name === name);
}

/** The file's config with the namespace of context `name` set (removed when empty). */
export function withContextNamespace(config: RawKubeconfig, name: string, namespace: string): RawKubeconfig {
  const contexts = entries(config, 'contexts').map((entry) => {
    if (entry.name !== name) return entry;
    const context = { ...((entry.context ?? {}) as Record<string, unknown>) };
    if (namespace) context.namespace = namespace;
    else delete context.namespace;
    return { ...entry, context };
  });
  return { ...config, contexts };
}
