// Service account issuer discovery (kube-apiserver's ServiceAccountIssuerDiscovery): the OpenID
// Connect documents that let anyone holding a service account token check it offline, the way a
// cloud's identity federation or Vault does. /.well-known/openid-configuration names the issuer
// and where its keys are; /openid/v1/jwks lists the public keys (JWKS). As on a real cluster
// they need an authenticated caller (every service account is one).

import express from 'express';
import { SERVICE_ACCOUNT_ISSUER, type ServiceAccountTokenSigner } from './service-account-token.js';

export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';

export function serviceAccountIssuerDiscoveryRouter(signer: ServiceAccountTokenSigner): express.Router {
  const router = express.Router();
  router.get(OPENID_CONFIGURATION_PATH, (_req, res) => {
    res.json({
      issuer: SERVICE_ACCOUNT_ISSUER,
      jwks_uri: `${SERVICE_ACCOUNT_ISSUER}${JWKS_PATH}`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });
  router.get(JWKS_PATH, (_req, res) => void res.type('application/jwk-set+json').send(JSON.stringify(signer.jwks())));
  return router;
}
