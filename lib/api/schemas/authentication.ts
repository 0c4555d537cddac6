// authentication.k8s.io/v1 TokenRequest: the body of POST .../serviceaccounts/NAME/token, the
// subresource through which kubectl (`kubectl create token`) and the kubelet ask for a service
// account token. It is never stored, so it is not in KIND_SCHEMAS: index.ts lists it among the
// request-only schemas that protobuf decoding and validation know.

import { ObjectMeta } from './meta.js';
import { definition, int64, kindSchema, listOf, object, STRING, string, time, type KindSchema } from './schema.js';

const BoundObjectReference = definition('io.k8s.api.authentication.v1.BoundObjectReference', 'BoundObjectReference is a reference to an object that a token is bound to.', {
  kind: string("Kind of the referent. Valid kinds are 'Pod' and 'Secret'.", { proto: 1 }),
  apiVersion: string('API version of the referent.', { proto: 2 }),
  name: string('Name of the referent.', { proto: 3 }),
  uid: string('UID of the referent.', { proto: 4 }),
});

export const TokenRequest: KindSchema = kindSchema('authentication.k8s.io', 'v1', 'TokenRequest', 'TokenRequest requests a token for a given service account.', {
  spec: object(
    definition('io.k8s.api.authentication.v1.TokenRequestSpec', 'TokenRequestSpec contains client provided parameters of a token request.', {
      audiences: listOf(STRING, 'Audiences are the intendend audiences of the token. A recipient of a token must identify themself with an identifier in the list of audiences of the token, and otherwise should reject the token. A token issued for multiple audiences may be used to authenticate against any of the audiences listed but implies a high degree of trust between the target audiences.', { proto: 1 }),
      expirationSeconds: int64('ExpirationSeconds is the requested duration of validity of the request. The token issuer may return a token with a different validity duration so a client needs to check the \'expiration\' field in a response.', { proto: 4, pointer: true }),
      boundObjectRef: object(BoundObjectReference, 'BoundObjectRef is a reference to an object that the token will be bound to. The token will only be valid for as long as the bound object exists.', { proto: 3, pointer: true }),
    }),
    'Spec holds information about the request being evaluated',
    { required: true, proto: 2 },
  ),
  status: object(
    definition('io.k8s.api.authentication.v1.TokenRequestStatus', 'TokenRequestStatus is the result of a token request.', {
      token: string('Token is the opaque bearer token.', { required: true, proto: 1 }),
      expirationTimestamp: time('ExpirationTimestamp is the time of expiration of the returned token.', { required: true, proto: 2 }),
    }),
    'Status is filled in by the server and indicates whether the token can be authenticated.',
    { proto: 3 },
  ),
}, ObjectMeta);
