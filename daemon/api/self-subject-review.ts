// authentication.k8s.io/v1 SelfSubjectReview: "who does the API server think I am?"
//
//   POST /apis/authentication.k8s.io/v1/selfsubjectreviews   → 201 {status: {userInfo: {username, groups}}}
//
// `kubectl auth whoami` and `kubelab auth whoami` ask it. Nothing is stored: the answer is the
// user the authenticator found for this very request (a client certificate's CN and O values, a
// token's user), which is what makes it useful for debugging credentials. Whatever the client
// sends as the object (kubectl sends an empty one, as protobuf) carries nothing the answer
// depends on, so the body is not read.
//
// Every authenticated user may ask (kube-apiserver's default RBAC grants it to
// system:authenticated through the system:basic-user role), so the route is mounted after
// authentication and before authorization.

import express from 'express';
import type { ResourceInfo } from '../../lib/api/resources.js';
import { methodNotAllowed } from '../../lib/errors.js';
import type { UserInfo } from './auth.js';

export const SELF_SUBJECT_REVIEWS_PATH = '/apis/authentication.k8s.io/v1/selfsubjectreviews';

/** What discovery lists for authentication.k8s.io/v1 (`kubectl api-resources`). */
export const AUTHENTICATION_RESOURCES: readonly ResourceInfo[] = [
  { group: 'authentication.k8s.io', version: 'v1', plural: 'selfsubjectreviews', singular: '', kind: 'SelfSubjectReview', namespaced: false, shortNames: [], categories: [], verbs: ['create'], subresources: [] },
];

/** The SelfSubjectReview kube-apiserver answers for `user`. */
export function selfSubjectReview(user: UserInfo) {
  return {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    status: { userInfo: { username: user.name, groups: user.groups } },
  };
}

export function selfSubjectReviewRouter(): express.Router {
  const router = express.Router();
  router.post(SELF_SUBJECT_REVIEWS_PATH, (_req, res) => void res.status(201).json(selfSubjectReview(res.locals.userInfo as UserInfo)));
  router.all(SELF_SUBJECT_REVIEWS_PATH, (req, _res, next) => next(methodNotAllowed(`the server does not allow this method on the requested resource (${req.method} selfsubjectreviews.authentication.k8s.io)`)));
  return router;
}
