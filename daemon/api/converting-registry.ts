// Serving a kind in a second version: the registry as an autoscaling/v1 client sees it.
//
// kube-apiserver stores each kind in one version and converts every request of another version
// on the way in and every answer on the way out. kubelab stores HorizontalPodAutoscalers as
// autoscaling/v2; this wrapper turns the v1 requests (`kubectl autoscale` POSTs v1) into v2 calls
// on the real registry and the answers back into v1 (lib/api/autoscaling-conversion.ts). Unknown
// fields are judged against the v1 schema before converting, so a typo in a v1 manifest is
// still reported, not dropped by the conversion.
//
// A patch of a v1 object is applied to its v1 form (the form the client computed it from), then
// converted and written as an update with the read resourceVersion as precondition: a concurrent
// change makes the write conflict, and the whole step is tried again on the newer object.

import { hpaV1ToV2, hpaV2ToV1 } from '../../lib/api/autoscaling-conversion.js';
import type { HorizontalPodAutoscaler } from '../../lib/api/autoscaling-types.js';
import { findUnknownFieldsOfKind } from '../../lib/api/schemas/known-fields.js';
import type { KindSchema } from '../../lib/api/schemas/schema.js';
import { HorizontalPodAutoscalerV1 } from '../../lib/api/schemas/autoscaling.js';
import type { KubeObject, ObjectList } from '../../lib/api/types.js';
import type { PatchType } from '../../lib/client/api-client.js';
import { badRequest, isConflict } from '../../lib/errors.js';
import { applyPatch } from './apply-patch.js';
import { deleteFieldPath } from './field-validation.js';
import type { Registry, RequestContext, Subresource } from './registry.js';

interface VersionConversion {
  schema: KindSchema;
  /** The stored version's object as this version shows it. */
  toServed(stored: KubeObject): KubeObject;
  /** This version's object (as sent) as the stored version. */
  toStored(served: KubeObject): KubeObject;
}

const HPA_V1: VersionConversion = {
  schema: HorizontalPodAutoscalerV1,
  toServed: (stored) => hpaV2ToV1(stored as HorizontalPodAutoscaler),
  toStored: (served) => hpaV1ToV2(served),
};

/** The conversion for a resource (store key) served in `version`, when that is not the stored version. */
export function conversionFor(resource: string, version: string): VersionConversion | undefined {
  return resource === 'horizontalpodautoscalers.autoscaling' && version === 'v1' ? HPA_V1 : undefined;
}

const PATCH_ATTEMPTS = 5;

export function convertingRegistry(registry: Registry, conversion: VersionConversion): Registry {
  const { schema, toServed, toStored } = conversion;
  const served = (obj: KubeObject) => (obj.kind === schema.kind ? toServed(obj) : obj);

  /** fieldValidation against the served version's schema, then the stored form (whose own check then finds nothing new). */
  const incoming = (body: KubeObject, ctx: RequestContext): KubeObject => {
    const unknown = findUnknownFieldsOfKind(schema, body);
    if (unknown.length > 0) {
      if (ctx.fieldValidation === 'Strict') {
        throw badRequest(
          `${schema.kind} in version "${schema.version}" cannot be handled as a ${schema.kind}: strict decoding error: ` +
            unknown.map((path) => `unknown field "${path}"`).join(', '),
        );
      }
      if (ctx.fieldValidation === 'Warn') for (const path of unknown) ctx.warnings.push(`unknown field "${path}"`);
      for (const path of unknown) deleteFieldPath(body, path);
    }
    if (body.apiVersion !== undefined && body.apiVersion !== `${schema.group}/${schema.version}`) {
      throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${schema.group}/${schema.version})`);
    }
    return toStored(body);
  };

  return {
    currentResourceVersion: () => registry.currentResourceVersion(),
    getScale: (resource, namespace, name, ctx) => registry.getScale(resource, namespace, name, ctx),
    async get(resource, namespace, name, ctx) {
      return served(await registry.get(resource, namespace, name, ctx));
    },
    async list(resource, options, ctx): Promise<ObjectList> {
      const list = await registry.list(resource, options, ctx);
      return { ...list, apiVersion: `${schema.group}/${schema.version}`, items: list.items.map(served) };
    },
    watch(resource, options, ctx, onEvent) {
      return registry.watch(resource, options, ctx, (event) => onEvent(event.type === 'ERROR' ? event : { ...event, object: served(event.object) }));
    },
    async create(resource, namespace, body, ctx) {
      return served(await registry.create(resource, namespace, incoming(structuredClone(body), ctx), ctx));
    },
    async update(resource, namespace, name, body, ctx, subresource?: Subresource) {
      return served(await registry.update(resource, namespace, name, incoming(structuredClone(body), ctx), ctx, subresource));
    },
    async patch(resource, namespace, name, patch: unknown, type: PatchType, ctx, subresource?: Subresource) {
      for (let attempt = 1; ; attempt += 1) {
        const current = served(await registry.get(resource, namespace, name, ctx));
        const patched = applyPatch(resource, structuredClone(current), patch, type);
        patched.metadata = { ...(patched.metadata ?? {}), resourceVersion: patched.metadata?.resourceVersion ?? current.metadata.resourceVersion };
        try {
          return served(await registry.update(resource, namespace, name, incoming(patched, ctx), ctx, subresource));
        } catch (error) {
          // A resourceVersion the patch itself named is the client's precondition: its conflict is final.
          const own = (patch as { metadata?: { resourceVersion?: string } } | null)?.metadata?.resourceVersion;
          if (!isConflict(error) || own !== undefined || attempt >= PATCH_ATTEMPTS) throw error;
        }
      }
    },
    async delete(resource, namespace, name, options, ctx) {
      return served(await registry.delete(resource, namespace, name, options, ctx));
    },
  };
}
