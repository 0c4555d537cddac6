// The OpenAPI v3 documents kubectl reads (compat §2.2): what makes create/apply work, and the
// schemas `kubectl explain pod.spec.containers` prints, generated from lib/api/schemas.
//
// kubectl validates manifests before sending them. It first asks the server's OpenAPI v3 whether
// the PATCH operation of the object's kind declares a `fieldValidation` query parameter; if it
// does, kubectl skips client-side validation and lets the server validate (`?fieldValidation=Strict`).
// Without any OpenAPI, `kubectl create -f` fails with "failed to download openapi". So we publish
// one document per group/version with one patch operation per kind, and in `components.schemas`
// each kind's schema (found by its `x-kubernetes-group-version-kind`) and every definition it
// refers to, with the field docs `kubectl explain` shows. (No requestBody on the operations:
// then `kubectl apply` computes strategic merge patches from its built-in Go types, which is what
// we want.) `/openapi/v2` stays a 404, which kubectl tolerates.

import crypto from 'node:crypto';
import express from 'express';
import { groupVersions, RESOURCES, resourceKey, type ResourceInfo } from '../../lib/api/resources.js';
import { definitionsOf, kindSchemaForVersion } from '../../lib/api/schemas/index.js';
import { openApiComponents } from '../../lib/api/schemas/json-schema.js';
import type { KindSchema } from '../../lib/api/schemas/schema.js';

interface GroupVersionDocument {
  /** `api/v1`, `apis/apps/v1`: the key in the index and the URL tail. */
  path: string;
  body: string;
  hash: string;
}

function patchOperation(r: ResourceInfo) {
  return {
    operationId: `patch${r.namespaced ? 'Namespaced' : ''}${r.kind}`,
    parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }],
    'x-kubernetes-action': 'patch',
    'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
  };
}

function buildDocuments(): GroupVersionDocument[] {
  return groupVersions().map(({ group, version }) => {
    const prefix = group ? `apis/${group}/${version}` : `api/${version}`;
    const paths: Record<string, unknown> = {};
    const kinds: KindSchema[] = [];
    for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
      const objectPath = r.namespaced ? `/${prefix}/namespaces/{namespace}/${r.plural}/{name}` : `/${prefix}/${r.plural}/{name}`;
      paths[objectPath] = { patch: patchOperation(r) };
      const kind = kindSchemaForVersion(resourceKey(r), r.version);
      if (kind) kinds.push(kind);
    }
    const schemas = openApiComponents(kinds, definitionsOf(kinds.map((k) => k.definition)).values());
    const body = JSON.stringify({ openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.5' }, paths, components: { schemas } });
    // kubectl caches documents by URL, hash included: the hash changes whenever the content does.
    const hash = crypto.createHash('sha512').update(body).digest('hex').toUpperCase();
    return { path: prefix, body, hash };
  });
}

export function openApiRouter(): express.Router {
  const documents = buildDocuments();
  const index = JSON.stringify({
    paths: Object.fromEntries(documents.map((d) => [d.path, { serverRelativeURL: `/openapi/v3/${d.path}?hash=${d.hash}` }])),
  });
  const router = express.Router();
  router.get('/openapi/v3', (_req, res) => {
    res.type('application/json').send(index);
  });
  router.get('/openapi/v3/*rest', (req, res, next) => {
    const doc = documents.find((d) => `/openapi/v3/${d.path}` === req.path);
    if (doc) res.type('application/json').send(doc.body);
    else next();
  });
  return router;
}
