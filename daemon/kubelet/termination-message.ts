// The message of a terminated container (kubelet's getTerminationMessage): what the container
// wrote to its terminationMessagePath (default /dev/termination-log; the kubelet bind-mounts a
// file of the pod's directory there), at most 4096 bytes. With terminationMessagePolicy
// FallbackToLogsOnError, a container that failed and wrote nothing gets the end of its log
// instead: the last 80 lines, at most 2048 bytes.

import fs from 'node:fs/promises';
import type { Container } from '../../lib/api/types.js';
import type { ContainerRuntime, ContainerStatus } from '../runtime/container-runtime.js';

const MAX_MESSAGE_BYTES = 4096;
const FALLBACK_LOG_LINES = 80;
const FALLBACK_LOG_BYTES = 2048;

export async function readTerminationMessage(runtime: Pick<ContainerRuntime, 'containerLogs'>, container: ContainerStatus, spec: Container, file: string): Promise<string | undefined> {
  let message = '';
  try {
    const handle = await fs.open(file, 'r');
    try {
      const buffer = Buffer.alloc(MAX_MESSAGE_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, MAX_MESSAGE_BYTES, 0);
      message = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    message = '';
  }
  if (message !== '') return message;
  if (spec.terminationMessagePolicy === 'FallbackToLogsOnError' && (container.exitCode ?? 0) !== 0) {
    try {
      const stream = await runtime.containerLogs(container.id, { tailLines: FALLBACK_LOG_LINES });
      let text = '';
      for await (const chunk of stream) text += chunk.toString();
      const bytes = Buffer.from(text, 'utf8');
      const tail = bytes.subarray(Math.max(0, bytes.length - FALLBACK_LOG_BYTES)).toString('utf8');
      return tail === '' ? container.message : tail;
    } catch {
      return container.message;
    }
  }
  return container.message;
}
