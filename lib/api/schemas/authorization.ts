// authorization.k8s.io/v1: the access reviews, "may this user do this?" asked of the API server
// (k8s.io/api/authorization/v1/types.go). They are never stored: a create answers with the same
// object and its status filled in (daemon/api/access-reviews.ts). `kubectl auth can-i` sends them.

import { ObjectMeta, passThroughStatus } from './meta.js';
import { definition, free, kindSchema, mapOf, object, string, stringList, type KindSchema } from './schema.js';

const ResourceAttributes = definition('io.k8s.api.authorization.v1.ResourceAttributes', 'ResourceAttributes includes the authorization attributes available for resource requests to the Authorizer interface', {
  namespace: string('Namespace is the namespace of the action being requested. "" (empty) is defaulted for LocalSubjectAccessReviews and means "all" for cluster-scoped resources and namespaced resources alike.', { proto: 1 }),
  verb: string('Verb is a kubernetes resource API verb, like: get, list, watch, create, update, delete, proxy.  "*" means all.', { proto: 2 }),
  group: string('Group is the API Group of the Resource.  "*" means all.', { proto: 3 }),
  version: string('Version is the API Version of the Resource.  "*" means all.', { proto: 4 }),
  resource: string('Resource is one of the existing resource types.  "*" means all.', { proto: 5 }),
  subresource: string('Subresource is one of the existing resource types.  "" means none.', { proto: 6 }),
  name: string('Name is the name of the resource being requested for a "get" or deleted for a "delete". "" (empty) means all.', { proto: 7 }),
  fieldSelector: free('fieldSelector describes the limitation on access based on field.  It can only limit access, not broaden it. kubelab does not read it.', { proto: 8, pointer: true }),
  labelSelector: free('labelSelector describes the limitation on access based on labels.  It can only limit access, not broaden it. kubelab does not read it.', { proto: 9, pointer: true }),
});

const NonResourceAttributes = definition('io.k8s.api.authorization.v1.NonResourceAttributes', 'NonResourceAttributes includes the authorization attributes available for non-resource requests to the Authorizer interface', {
  path: string('Path is the URL path of the request', { proto: 1 }),
  verb: string('Verb is the standard HTTP verb', { proto: 2 }),
});

const reviewStatus = () => passThroughStatus('Status is filled in by the server and indicates whether the request is allowed or not', { proto: 3 });

export const SelfSubjectAccessReview: KindSchema = kindSchema('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'SelfSubjectAccessReview checks whether or the current user can perform an action.  Not filling in a spec.namespace means "in all namespaces".  Self is a special case, because users should always be able to check whether they can perform an action', {
  spec: object(definition('io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec', 'SelfSubjectAccessReviewSpec is a description of the access request.  Exactly one of ResourceAuthorizationAttributes and NonResourceAuthorizationAttributes must be set', {
    resourceAttributes: object(ResourceAttributes, 'ResourceAuthorizationAttributes describes information for a resource access request', { proto: 1, pointer: true }),
    nonResourceAttributes: object(NonResourceAttributes, 'NonResourceAttributes describes information for a non-resource access request', { proto: 2, pointer: true }),
  }), 'Spec holds information about the request being evaluated.  user and groups must be empty', { required: true, proto: 2 }),
  status: reviewStatus(),
}, ObjectMeta);

export const SelfSubjectRulesReview: KindSchema = kindSchema('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'SelfSubjectRulesReview enumerates the set of actions the current user can perform within a namespace.', {
  spec: object(definition('io.k8s.api.authorization.v1.SelfSubjectRulesReviewSpec', 'SelfSubjectRulesReviewSpec defines the specification for SelfSubjectRulesReview.', {
    namespace: string('Namespace to evaluate rules for. Required.', { proto: 1 }),
  }), 'Spec holds information about the request being evaluated.', { required: true, proto: 2 }),
  status: reviewStatus(),
}, ObjectMeta);

export const SubjectAccessReview: KindSchema = kindSchema('authorization.k8s.io', 'v1', 'SubjectAccessReview', 'SubjectAccessReview checks whether or not a user or group can perform an action.', {
  spec: object(definition('io.k8s.api.authorization.v1.SubjectAccessReviewSpec', 'SubjectAccessReviewSpec is a description of the access request.  Exactly one of ResourceAuthorizationAttributes and NonResourceAuthorizationAttributes must be set', {
    resourceAttributes: object(ResourceAttributes, 'ResourceAuthorizationAttributes describes information for a resource access request', { proto: 1, pointer: true }),
    nonResourceAttributes: object(NonResourceAttributes, 'NonResourceAttributes describes information for a non-resource access request', { proto: 2, pointer: true }),
    user: string('User is the user you\'re testing for. If you specify "User" but not "Groups", then is it interpreted as "What if User were not a member of any groups', { proto: 3 }),
    groups: stringList("Groups is the groups you're testing for.", { proto: 4 }),
    extra: mapOf({ type: 'list', items: { type: 'string' } }, 'Extra corresponds to the user.Info.GetExtra() method from the authenticator. kubelab has no extra attributes and ignores it.', { proto: 5 }),
    uid: string('UID information about the requesting user.', { proto: 6 }),
  }), 'Spec holds information about the request being evaluated', { required: true, proto: 2 }),
  status: reviewStatus(),
}, ObjectMeta);

/** The review kinds, decodable from protobuf though never stored. */
export const REVIEW_SCHEMAS: readonly KindSchema[] = [SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview];
