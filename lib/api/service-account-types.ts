// The types of service accounts and their tokens: core/v1 ServiceAccount (an identity for
// processes in pods) and authentication.k8s.io/v1 TokenRequest (the body and answer of
// POST .../serviceaccounts/NAME/token).

import type { KubeObject, ObjectReference } from './types.js';

export interface ServiceAccount extends KubeObject {
  /** Deprecated in Kubernetes (no more secret-based tokens); kept as sent. */
  secrets?: ObjectReference[];
  imagePullSecrets?: { name?: string }[];
  /** false: pods of this account get no token unless the pod itself asks for one. */
  automountServiceAccountToken?: boolean;
}

/** What a token is bound to: it stops working when that object is gone. */
export interface BoundObjectReference {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

export interface TokenRequest extends KubeObject {
  spec: {
    audiences?: string[];
    expirationSeconds?: number;
    boundObjectRef?: BoundObjectReference;
  };
  status?: { token: string; expirationTimestamp: string };
}

/** The username of a service account, as Kubernetes' serviceaccount.MakeUsername. */
export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';
/** Every service account is in this group, and in `system:serviceaccounts:<namespace>`. */
export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

export const serviceAccountUsername = (namespace: string, name: string): string => `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
export const serviceAccountGroups = (namespace: string): string[] => [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`];
