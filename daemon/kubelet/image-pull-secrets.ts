// Which credentials a pull uses: the kubelet's keyring (pkg/credentialprovider) over the pod's
// imagePullSecrets, decided purely.
//
// A Secret of type kubernetes.io/dockerconfigjson holds `.dockerconfigjson`, a Docker config
// file `{"auths": {"registry.example:5000": {"username", "password", "auth"}}}`; an older
// kubernetes.io/dockercfg holds `.dockercfg`, the same map without `auths`. An image's registry
// is the part of its name before the first `/` when that part has a `.` or `:` or is
// `localhost`; otherwise it is Docker Hub (`docker.io`, whose config key is
// `https://index.docker.io/v1/`). A key matches when its host matches (a `*.example.com` key
// matches one label there) and the image's repository starts with the key's path, if any; the
// most specific key (longest) wins. The first Secret with a match is used.

import type { KubeObject } from '../../lib/api/types.js';
import type { RegistryAuth } from '../runtime/container-runtime.js';

export interface DockerConfigSecret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

interface DockerAuthEntry {
  username?: string;
  password?: string;
  auth?: string;
  identitytoken?: string;
}

const DOCKER_HUB_KEYS = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];

/** `localhost:5000/team/app:1` → host `localhost:5000`, repository `team/app`. */
export function imageRegistry(image: string): { host: string; repository: string } {
  const withoutDigest = image.split('@')[0];
  const slash = withoutDigest.indexOf('/');
  const first = slash < 0 ? '' : withoutDigest.slice(0, slash);
  const isHost = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const rest = isHost ? withoutDigest.slice(slash + 1) : withoutDigest;
  const repository = rest.replace(/:[^/:]*$/, '');
  return isHost ? { host: first, repository } : { host: 'docker.io', repository: repository.includes('/') ? repository : `library/${repository}` };
}

function parseKey(key: string): { host: string; path: string } {
  const url = key.replace(/^[a-z]+:\/\//, '');
  const slash = url.indexOf('/');
  const host = slash < 0 ? url : url.slice(0, slash);
  const path = slash < 0 ? '' : url.slice(slash + 1).replace(/\/+$/, '');
  return { host: DOCKER_HUB_KEYS.includes(host) ? 'docker.io' : host, path: host === 'index.docker.io' && path === 'v1' ? '' : path };
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  if (!pattern.includes('*')) return false;
  const patternLabels = pattern.split('.');
  const hostLabels = host.split('.');
  return patternLabels.length === hostLabels.length && patternLabels.every((label, i) => label === '*' || label === hostLabels[i]);
}

/** The auth entries of a dockerconfigjson or dockercfg Secret; {} for anything else. */
export function dockerAuths(secret: DockerConfigSecret): Record<string, DockerAuthEntry> {
  const data = secret.data ?? {};
  try {
    if (data['.dockerconfigjson']) return JSON.parse(Buffer.from(data['.dockerconfigjson'], 'base64').toString('utf8')).auths ?? {};
    if (data['.dockercfg']) return JSON.parse(Buffer.from(data['.dockercfg'], 'base64').toString('utf8')) ?? {};
  } catch {
    return {};
  }
  return {};
}

/** The credentials to pull this image with, from the first Secret that has some for its registry. */
export function registryAuthFor(image: string, secrets: DockerConfigSecret[]): RegistryAuth | undefined {
  const { host, repository } = imageRegistry(image);
  for (const secret of secrets) {
    const candidates = Object.entries(dockerAuths(secret))
      .map(([key, entry]) => ({ key, entry, ...parseKey(key) }))
      .filter((c) => hostMatches(c.host, host) && (c.path === '' || repository === c.path || repository.startsWith(`${c.path}/`)))
      .sort((a, b) => b.key.length - a.key.length);
    const best = candidates[0];
    if (!best) continue;
    const { entry } = best;
    let { username, password } = entry;
    if ((!username || !password) && entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) [username, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    }
    return {
      serverAddress: best.host === 'docker.io' ? 'https://index.docker.io/v1/' : best.host,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(entry.auth ? { auth: entry.auth } : {}),
      ...(entry.identitytoken ? { identityToken: entry.identitytoken } : {}),
    };
  }
  return undefined;
}
