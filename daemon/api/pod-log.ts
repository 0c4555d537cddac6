// GET /api/v1/namespaces/{ns}/pods/{name}/log: a container's output as plain text.
//
// The real API server proxies this to the kubelet of the pod's node; kubelab asks a PodStreams.
// The handler only decides which container (the `container` parameter, else the pod's
// `kubectl.kubernetes.io/default-container` annotation, else its first container), turns the query
// into LogOptions, and copies the stream to the response chunk by chunk, so `logs -f` shows each
// line as it is written. It stops reading when the client goes away.

import type { Response } from 'express';
import type { Pod } from '../../lib/api/types.js';
import { ApiError, badRequest } from '../../lib/errors.js';
import { logger } from '../../lib/logger.js';
import type { PodStreams } from '../pod-streams/pod-streams.js';
import type { RequestContext, Registry } from './registry.js';
import { queryString, type Query } from '../http/query-parameters.js';
import { logOptionsOf } from '../pod-streams/log-options.js';

export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/** The container a log or exec request means when it names none. */
export function defaultContainerOf(pod: Pod): string | undefined {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && names.includes(annotated)) return annotated;
  return names[0];
}

/**
 * The container to read: the one asked for (an init, regular or ephemeral container of the pod)
 * or the default one. `kubectl debug -i` reads the debug container's log when it has already
 * exited before kubectl could attach, so ephemeral containers must be readable by name.
 */
export function pickLogContainer(pod: Pod, requested: string | undefined): string {
  const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map((c) => c.name);
  if (requested) {
    if (!names.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${pod.metadata.name}`);
    return requested;
  }
  const container = defaultContainerOf(pod);
  if (!container) throw badRequest(`pod ${pod.metadata.name} has no containers`);
  return container;
}

export async function servePodLog(
  res: Response,
  request: { registry: Registry; podStreams?: PodStreams; namespace: string; name: string; query: Query; ctx: RequestContext },
): Promise<void> {
  const pod = (await request.registry.get('pods', request.namespace, request.name, request.ctx)) as Pod;
  const container = pickLogContainer(pod, queryString(request.query, 'container'));
  const options = logOptionsOf(request.query);
  if (!request.podStreams) {
    throw new ApiError(503, 'ServiceUnavailable', `logs of pod ${request.namespace}/${request.name} are not available: this API server has no node agent attached`);
  }
  const stream = await request.podStreams.logs(pod, container, options);

  res.status(200);
  res.setHeader('Content-Type', 'text/plain');
  res.flushHeaders();
  res.on('close', () => stream.destroy());
  stream.on('data', (chunk: Buffer | string) => {
    // No buffering on our side: each chunk goes out as its own HTTP chunk at once; a slow
    // client pauses the container's stream instead of piling its output up in memory.
    if (!res.write(chunk)) {
      stream.pause();
      res.once('drain', () => stream.resume());
    }
  });
  stream.on('end', () => res.end());
  stream.on('error', (err) => {
    // The status line is gone already; all we can do is cut the response short.
    logger('apiserver').warn(`log stream of pod ${request.namespace}/${request.name} container ${container} failed`, { err });
    res.destroy(err);
  });
}
