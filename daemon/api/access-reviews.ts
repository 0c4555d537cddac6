// POST /apis/authorization.k8s.io/v1/{selfsubjectaccessreviews,selfsubjectrulesreviews,subjectaccessreviews}:
// the API server answering "may I?" / "what may I?" / "may they?" with the same authorizer
// chain that judges real requests (kube-apiserver's pkg/registry/authorization). Creating a
// review was itself authorised like any create (system:basic-user lets every user ask about
// themselves). The answer is the review with its status: 201, nothing stored.

import express, { type Request, type Response } from 'express';
import type { Authorizer, UserInfo } from './auth.js';
import { badRequest } from '../../lib/errors.js';
import { attributesOfReviewSpec, AUTHORIZATION_GROUP, rulesReviewStatus } from '../../lib/rbac/access-review.js';
import { requestAttributesOfAccess, type ReviewingAuthorizer } from './rbac-authorizer.js';

type Loose = Record<string, unknown>;
const PREFIX = `/apis/${AUTHORIZATION_GROUP}/v1`;

function reviewBody(req: Request, kind: string): Loose {
  const body = req.body as Loose | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`the request body must be a ${kind}`);
  if (body.kind !== undefined && body.kind !== kind) throw badRequest(`the request body is a ${String(body.kind)}, not a ${kind}`);
  return body;
}

function answer(res: Response, kind: string, body: Loose, spec: unknown, status: unknown): void {
  const metadata = { ...((body.metadata as Loose | undefined) ?? {}), creationTimestamp: null };
  res.status(201).json({ kind, apiVersion: `${AUTHORIZATION_GROUP}/v1`, metadata, spec, status });
}

async function accessReview(authorizer: ReviewingAuthorizer, user: UserInfo, kind: string, body: Loose, res: Response): Promise<void> {
  const access = attributesOfReviewSpec(body.spec);
  if (typeof access === 'string') throw badRequest(`${kind} is invalid: spec: ${access}`);
  const { allowed, reason } = await authorizer.review(user, requestAttributesOfAccess(access));
  answer(res, kind, body, body.spec, { allowed, ...(reason ? { reason } : {}) });
}

/** What the reviews answer on a server without authorisation (tests): everyone may do everything. */
export const ALLOW_ALL: ReviewingAuthorizer = {
  authorize: async () => {},
  review: async () => ({ allowed: true, reason: '' }),
  rulesFor: () => ({ rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false }),
};

/**
 * The reviews' view of the server's authorizer: itself when it can list rules (the Node+RBAC
 * chain), a yes/no wrapper of a plain one (rules unknown: incomplete), everything without one.
 */
export function reviewingAuthorizerOf(authorizer: Authorizer | undefined): ReviewingAuthorizer {
  if (!authorizer) return ALLOW_ALL;
  const reviewing = authorizer as ReviewingAuthorizer;
  if (typeof reviewing.review === 'function' && typeof reviewing.rulesFor === 'function') return reviewing;
  return {
    authorize: (user, attributes) => authorizer.authorize(user, attributes),
    review: (user, attributes) => authorizer.authorize(user, attributes).then(() => ({ allowed: true, reason: '' }), () => ({ allowed: false, reason: '' })),
    rulesFor: () => ({ rules: [], incomplete: true }),
  };
}

export function accessReviewRouter(authorizer: ReviewingAuthorizer): express.Router {
  const router = express.Router();
  const caller = (res: Response) => res.locals.userInfo as UserInfo;

  router.post(`${PREFIX}/selfsubjectaccessreviews`, (req, res, next) => {
    const kind = 'SelfSubjectAccessReview';
    accessReview(authorizer, caller(res), kind, reviewBody(req, kind), res).catch(next);
  });

  router.post(`${PREFIX}/subjectaccessreviews`, (req, res, next) => {
    const kind = 'SubjectAccessReview';
    const body = reviewBody(req, kind);
    const spec = (body.spec ?? {}) as Loose;
    const groups = Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === 'string') : [];
    if (typeof spec.user !== 'string' && groups.length === 0) throw badRequest(`${kind} is invalid: spec.user: Invalid value: "": at least one of user or group must be specified`);
    accessReview(authorizer, { name: typeof spec.user === 'string' ? spec.user : '', groups }, kind, body, res).catch(next);
  });

  router.post(`${PREFIX}/selfsubjectrulesreviews`, (req, res) => {
    const kind = 'SelfSubjectRulesReview';
    const body = reviewBody(req, kind);
    const namespace = ((body.spec ?? {}) as Loose).namespace;
    const { rules, incomplete } = authorizer.rulesFor(caller(res), typeof namespace === 'string' && namespace !== '' ? namespace : undefined);
    answer(res, kind, body, body.spec ?? {}, rulesReviewStatus(rules, incomplete));
  });
  return router;
}
