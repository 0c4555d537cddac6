// The web view's login: a short-lived, single-use code in a URL, exchanged once for a session.
//
// `kubelab dashboard --url` must print something a browser can open, but the admin's bearer token
// lives for the cluster's lifetime and must never sit in a URL (shell history, browser history,
// proxy logs, screenshots). So the CLI, authenticated with its token, asks the API server for a
// login code: random, bound to the user who asked, valid for a minute and for one use. The
// browser opens /ui/login?code=..., the server redeems the code for a session id that travels
// only in an HttpOnly cookie, and redirects to /ui/ so the code leaves the address bar too.
// minikube's `dashboard --url` and Jupyter's token URLs are the same idea.
//
// Both stores are pure bookkeeping: time comes from a Clock and randomness from an injected
// source, so expiry and single use are table-tested without waiting. They live in the API
// server's memory: a code or session made on one server is unknown to another (kubelab runs one
// API server per cluster unless it is an HA one) and to a restarted one.

import crypto from 'node:crypto';
import type { Clock } from '../../../lib/clock.js';
import type { UserInfo } from '../auth.js';

/** 32 random bytes as URL-safe text: unguessable, and harmless in a URL or a cookie. */
export const randomSecret = (): string => crypto.randomBytes(32).toString('base64url');

/** Why a code was refused, each with its own page (see login-page.ts). */
export type RefusedCodeReason = 'unknown' | 'used' | 'expired';

export type RedeemResult = { ok: true; user: UserInfo } | { ok: false; reason: RefusedCodeReason };

interface IssuedCode {
  user: UserInfo;
  expiresAtMs: number;
  usedAtMs?: number;
}

export interface LoginCodeStoreOptions {
  clock: Pick<Clock, 'now'>;
  ttlMs: number;
  random?: () => string;
}

export class LoginCodeStore {
  // Keyed by the code's SHA-256, so a heap dump does not hold usable codes.
  private readonly codes = new Map<string, IssuedCode>();
  private readonly random: () => string;

  constructor(private readonly options: LoginCodeStoreOptions) {
    this.random = options.random ?? randomSecret;
  }

  /** A new code for `user`, and when it stops working. */
  issue(user: UserInfo): { code: string; expiresAt: Date } {
    this.forgetOld();
    const code = this.random();
    const expiresAtMs = this.nowMs() + this.options.ttlMs;
    this.codes.set(hashOf(code), { user, expiresAtMs });
    return { code, expiresAt: new Date(expiresAtMs) };
  }

  /**
   * The user a code was issued to, once. A used code stays remembered until it would have
   * expired, so a second use is told "already used" (someone else may have opened the URL),
   * not "unknown".
   */
  redeem(code: string): RedeemResult {
    this.forgetOld();
    const issued = this.codes.get(hashOf(code));
    if (!issued) return { ok: false, reason: 'unknown' };
    if (issued.usedAtMs !== undefined) return { ok: false, reason: 'used' };
    if (this.nowMs() >= issued.expiresAtMs) return { ok: false, reason: 'expired' };
    issued.usedAtMs = this.nowMs();
    return { ok: true, user: issued.user };
  }

  /** How many codes are remembered (issued or used, not yet forgotten). */
  get size(): number {
    return this.codes.size;
  }

  private nowMs(): number {
    return this.options.clock.now().getTime();
  }

  /**
   * Codes are forgotten one TTL after they expire: until then an expired code is refused as
   * "expired" (a clearer page than "unknown"), and the map cannot grow without bound.
   */
  private forgetOld(): void {
    const now = this.nowMs();
    for (const [key, issued] of this.codes) if (now >= issued.expiresAtMs + this.options.ttlMs) this.codes.delete(key);
  }
}

export interface SessionStoreOptions {
  clock: Pick<Clock, 'now'>;
  ttlMs: number;
  random?: () => string;
}

/** Browser sessions: an opaque id (the cookie's value) to the user it acts as, until it expires. */
export class SessionStore {
  private readonly sessions = new Map<string, { user: UserInfo; expiresAtMs: number }>();
  private readonly random: () => string;

  constructor(private readonly options: SessionStoreOptions) {
    this.random = options.random ?? randomSecret;
  }

  /** A new session for `user`: its id and when it ends. */
  create(user: UserInfo): { id: string; expiresAt: Date } {
    this.forgetExpired();
    const id = this.random();
    const expiresAtMs = this.options.clock.now().getTime() + this.options.ttlMs;
    this.sessions.set(hashOf(id), { user, expiresAtMs });
    return { id, expiresAt: new Date(expiresAtMs) };
  }

  /** The session's user, or undefined for an unknown or expired id. */
  userOf(id: string | undefined): UserInfo | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(hashOf(id));
    if (!session) return undefined;
    if (this.options.clock.now().getTime() >= session.expiresAtMs) {
      this.sessions.delete(hashOf(id));
      return undefined;
    }
    return session.user;
  }

  /** Ends a session (logout). */
  delete(id: string): void {
    this.sessions.delete(hashOf(id));
  }

  get size(): number {
    return this.sessions.size;
  }

  private forgetExpired(): void {
    const now = this.options.clock.now().getTime();
    for (const [key, session] of this.sessions) if (now >= session.expiresAtMs) this.sessions.delete(key);
  }
}

const hashOf = (secret: string): string => crypto.createHash('sha256').update(secret).digest('hex');
