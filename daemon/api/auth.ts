// Authentication: who is calling the API server.
//
// kube-apiserver has a chain of authenticators (client certificates, bearer tokens, service
// account tokens, OIDC...). kubelab has one: static bearer tokens, like the API server's
// --token-auth-file. The admin token is written into the admin kubeconfig; node agents get their
// own. Authorisation (RBAC) is out of scope: every authenticated user may do everything.
//
// Health and version endpoints stay open, as on a real cluster, so probes and `kubectl version`
// style tooling work before credentials are set up.

import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { unauthorized } from '../../lib/errors.js';

/** Paths anyone may read without a token. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/healthz', '/livez', '/readyz', '/version']);

/** A fixed-length digest, so comparing two tokens takes the same time whatever their lengths. */
const digest = (value: string): Buffer => crypto.createHash('sha256').update(value).digest();

export class Authenticator {
  private readonly tokens: { digest: Buffer; user: string }[];

  constructor(tokens: { token: string; user: string }[]) {
    this.tokens = tokens.map((t) => ({ digest: digest(t.token), user: t.user }));
  }

  /** The user the request's `Authorization: Bearer <token>` belongs to; throws a 401 ApiError otherwise. */
  authenticate(headers: IncomingHttpHeaders): string {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    if (!match) throw unauthorized();
    const presented = digest(match[1]);
    // Compare against every token in constant time: an attacker learns nothing from timing.
    let user: string | undefined;
    for (const candidate of this.tokens) {
      if (crypto.timingSafeEqual(candidate.digest, presented)) user = candidate.user;
    }
    if (user === undefined) throw unauthorized();
    return user;
  }
}

/** express middleware: sets `res.locals.user` or answers 401 (through the error handler). */
export function requireAuth(authenticator: Authenticator) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (OPEN_PATHS.has(req.path)) return next();
    try {
      res.locals.user = authenticator.authenticate(req.headers);
      next();
    } catch (err) {
      next(err);
    }
  };
}
