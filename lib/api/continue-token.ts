// The `continue` token of a paged list (`?limit=500`, then `?limit=500&continue=TOKEN`).
//
// A client that lists a big collection asks for it in pages; the server answers each page with
// `metadata.continue`, an opaque token saying where the next page starts, and the client sends it
// back. kube-apiserver's storage makes the token the base64url (no padding) of a small JSON
// document, `{"v":"meta.k8s.io/v1","rv":<the list's resourceVersion>,"start":"<key>"}`, where
// start is the storage key just after the last item returned (`namespace/name` + "\u0000": the
// smallest key greater than the last one). kubelab writes the same shape, so a token is readable
// when debugging (`echo TOKEN | base64 -d`) and behaves like Kubernetes' in every client.
//
// rv is the version every page of one list is read at (its snapshot); -1 means "the latest": that
// is what the 410 answer to an expired token hands back, for a client that accepts an
// inconsistent remainder. A token that does not decode is the client's mistake (400).

import { badRequest } from '../errors.js';

const TOKEN_VERSION = 'meta.k8s.io/v1';

/** Where a paged list continues, and at which version it reads. */
export interface ContinuePosition {
  /** The list's resourceVersion (its snapshot); -1: the latest state (an inconsistent remainder). */
  resourceVersion: number;
  /** The first key (`namespace/name`, or `name` for cluster-scoped kinds) the next page may hold. */
  startKey: string;
}

/** The key right after `key` in byte order: where the page after an item ending at `key` starts. */
export const keyAfter = (key: string): string => `${key}\u0000`;

export function encodeContinue(position: ContinuePosition): string {
  const document = { v: TOKEN_VERSION, rv: position.resourceVersion, start: position.startKey };
  return Buffer.from(JSON.stringify(document), 'utf8').toString('base64url');
}

/**
 * Reads a token sent back by a client; throws 400 BadRequest with kube-apiserver's words when it
 * is not one this server made (`invalid continue token: continue key is not valid: ...`).
 */
export function decodeContinue(token: string): ContinuePosition {
  const invalid = (why: string) => badRequest(`invalid continue token: continue key is not valid${why ? `: ${why}` : ''}`);
  // base64url without padding, as Go's RawURLEncoding: anything else is not a token of ours.
  if (!/^[A-Za-z0-9_-]*$/.test(token) || token.length % 4 === 1) throw invalid('illegal base64 data');
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (err) {
    throw invalid((err as Error).message);
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) throw invalid('not a JSON object');
  const { v, rv, start } = document as { v?: unknown; rv?: unknown; start?: unknown };
  if (v !== TOKEN_VERSION) throw invalid(`server does not recognize this encoded version ${typeof v === 'string' ? v : JSON.stringify(v ?? '')}`);
  if (typeof rv !== 'number' || !Number.isInteger(rv) || rv === 0 || rv < -1) {
    throw invalid('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (typeof start !== 'string' || start.length === 0) throw invalid('encoded start key empty (version meta.k8s.io/v1)');
  // As kube-apiserver: a key that is not already clean ("a/../b", "./x") could reach outside the
  // collection it was made for.
  if (start.split('/').some((part) => part === '.' || part === '..') || start.includes('//') || start.startsWith('/')) {
    throw invalid(start);
  }
  return { resourceVersion: rv, startKey: start };
}
