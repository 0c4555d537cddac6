// Authentication and authorisation: who is calling the API server, and may they do this?
//
// kube-apiserver has a chain of authenticators (client certificates, bearer tokens, service
// account tokens, OIDC...); the first that recognises the credentials names the user and their
// groups. kubelab has four: client certificates signed by the cluster CA (CN = user, O =
// groups; daemon/api/client-certificate-authenticator.ts, the users `kubelab create user`
// makes), the static admin token written into the admin kubeconfig (like --token-auth-file),
// the node tokens issued to joining agents (daemon/api/node-credentials.ts) and service account
// tokens (daemon/api/service-account-authenticator.ts); the last two are extra TokenAuthenticators.
//
// After authentication comes authorisation. kube-apiserver asks an authorizer chain (Node, RBAC)
// with the request's attributes (verb, resource, namespace, name); so does kubelab: the Node
// authorizer for users in `system:nodes` (daemon/api/node-authorizer.ts), then RBAC
// (daemon/api/rbac-authorizer.ts).
//
// Health and version endpoints stay open, as on a real cluster, so probes and `kubectl version`
// style tooling work before credentials are set up.

import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { NextFunction, Request, Response } from 'express';
import { unauthorized } from '../../lib/errors.js';
import { decodePathSegment } from './resource-path.js';
import type { ClientCertificateAuthenticator } from './client-certificate-authenticator.js';

/** Paths anyone may read without a token. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/healthz', '/livez', '/readyz', '/version']);

/** Who a request comes from, as Kubernetes' user.Info: a name and the groups it belongs to. */
export interface UserInfo {
  name: string;
  groups: string[];
}

/** Every authenticated user is in this group, as in Kubernetes. */
export const AUTHENTICATED_GROUP = 'system:authenticated';
/** The group of the admin token: Kubernetes' superusers. */
export const MASTERS_GROUP = 'system:masters';

/** A source of bearer tokens besides the static ones (node tokens, service account tokens). */
export interface TokenAuthenticator {
  /** The user a token belongs to, or undefined when this source does not know it. */
  userForToken(token: string): UserInfo | undefined | Promise<UserInfo | undefined>;
}

/** The certificate the client sent in the TLS handshake (which proved it holds the key), if any. */
export function peerCertificateOf(socket: Socket | undefined): crypto.X509Certificate | undefined {
  if (!(socket instanceof TLSSocket)) return undefined;
  return socket.getPeerX509Certificate();
}

/** A fixed-length digest, so comparing two tokens takes the same time whatever their lengths. */
const digest = (value: string): Buffer => crypto.createHash('sha256').update(value).digest();

export class Authenticator {
  private readonly tokens: { digest: Buffer; user: UserInfo }[];

  /**
   * `tokens`: static tokens (groups default to system:masters, i.e. the admin);
   * `sources`: further authenticators asked, in order, when no static token matched;
   * `certificates`: the client-certificate authenticator (absent: certificates name nobody).
   */
  constructor(
    tokens: { token: string; user: string; groups?: string[] }[],
    private readonly sources: TokenAuthenticator[] = [],
    private readonly certificates?: ClientCertificateAuthenticator,
  ) {
    this.tokens = tokens.map((t) => ({
      digest: digest(t.token),
      user: { name: t.user, groups: [...new Set([...(t.groups ?? [MASTERS_GROUP]), AUTHENTICATED_GROUP])] },
    }));
  }

  /**
   * The user behind the request's credentials; throws a 401 ApiError when none names a user.
   * As in kube-apiserver's union authenticator, a client certificate (`clientCertificate`, from
   * peerCertificateOf) is asked first; one that names nobody does not end the search, a valid
   * `Authorization: Bearer <token>` still authenticates the request.
   */
  async authenticateUser(headers: IncomingHttpHeaders, clientCertificate?: crypto.X509Certificate): Promise<UserInfo> {
    if (clientCertificate && this.certificates) {
      try {
        return this.certificates.userForCertificate(clientCertificate);
      } catch {
        // Not a certificate of this cluster (or expired): the token decides, else 401.
      }
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    if (!match) throw unauthorized();
    const presented = digest(match[1]);
    // Compare against every static token in constant time: an attacker learns nothing from timing.
    let user: UserInfo | undefined;
    for (const candidate of this.tokens) {
      if (crypto.timingSafeEqual(candidate.digest, presented)) user = candidate.user;
    }
    for (const source of this.sources) user ??= await source.userForToken(match[1]);
    if (user === undefined) throw unauthorized();
    return user;
  }

  /** The name of the request's user (see authenticateUser). */
  async authenticate(headers: IncomingHttpHeaders): Promise<string> {
    return (await this.authenticateUser(headers)).name;
  }
}

/** express middleware: sets `res.locals.user` (the name) and `res.locals.userInfo`, or answers 401. */
export function requireAuth(authenticator: Authenticator) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (OPEN_PATHS.has(req.path)) return next();
    authenticator.authenticateUser(req.headers, peerCertificateOf(req.socket)).then((user) => {
      res.locals.user = user.name;
      res.locals.userInfo = user;
      next();
    }, next);
  };
}

// ---------------------------------------------------------------------------------------------
// Authorisation

/** Kubernetes' authorizer.Attributes: what a request wants to do, in API terms. */
export interface RequestAttributes {
  /** get, list, watch, create, update, patch, delete, deletecollection; for non-resource paths the lowercase HTTP method. */
  verb: string;
  /** The URL path (what non-resource requests are judged by). */
  path: string;
  /** Set for requests on API resources. */
  resource?: {
    /** The store key: `pods`, `deployments.apps`. */
    key: string;
    /** The plural and the API group as they appear in messages: `pods`, `""`. */
    plural: string;
    group: string;
    namespace?: string;
    name?: string;
    subresource?: string;
  };
  /** The request body, for decisions that depend on the object (a node creating its own Node). */
  body?: unknown;
}

export interface Authorizer {
  /** Resolves when `user` may do this; throws a 403 Forbidden ApiError otherwise. */
  authorize(user: UserInfo, attributes: RequestAttributes): Promise<void>;
}

/** The Kubernetes verb of an HTTP method on a resource path, as kube-apiserver's RequestInfo computes it. */
function resourceVerb(method: string, hasName: boolean, watch: boolean): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return hasName ? 'get' : watch ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

/** Subresources of a namespace itself: `/api/v1/namespaces/NS/status` is not a resource named `status` in NS. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * What a URL path names, as kube-apiserver's RequestInfoFactory reads it, for every path under
 * /api and /apis (served kinds, metrics.k8s.io, the access reviews, and kinds that do not exist,
 * which are authorised before they are found missing, as in Kubernetes):
 *
 *   /api/v1/namespaces/NS/pods/NAME/log    group "", pods, namespace NS, name NAME, subresource log
 *   /apis/apps/v1/deployments              group apps, deployments, all namespaces
 *   /api/v1/namespaces/NS                  namespaces, name NS, and namespace NS (reading a
 *                                          namespace is a request in that namespace)
 */
export function resourceOfPath(urlPath: string): RequestAttributes['resource'] | undefined {
  const segments = urlPath.split('/').filter((s) => s !== '').map(decodePathSegment);
  let group: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) [group, rest] = ['', segments.slice(2)];
  else if (segments[0] === 'apis' && segments.length >= 4) [group, rest] = [segments[1], segments.slice(3)];
  else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2);
  }
  const [plural, name, subresource] = rest;
  return {
    key: group ? `${plural}.${group}` : plural,
    plural,
    group,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}

/** The attributes of an HTTP request (its path, method, `?watch` and parsed body). */
export function requestAttributesOf(method: string, urlPath: string, query: Record<string, unknown>, body?: unknown): RequestAttributes {
  const resource = resourceOfPath(urlPath);
  if (!resource) return { verb: method.toLowerCase(), path: urlPath };
  const watch = query.watch === 'true' || query.watch === '1' || query.watch === true;
  return {
    verb: resourceVerb(method, resource.name !== undefined, watch),
    path: urlPath,
    resource,
    ...(body !== undefined ? { body } : {}),
  };
}

/** express middleware after authentication and body parsing: asks the authorizer, or answers 403. */
export function requireAuthorization(authorizer: Authorizer) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const user = res.locals.userInfo as UserInfo | undefined;
    if (!user) return next(); // an open path: nothing to authorise
    authorizer.authorize(user, requestAttributesOf(req.method, req.path, req.query as Record<string, unknown>, req.body)).then(() => next(), next);
  };
}
