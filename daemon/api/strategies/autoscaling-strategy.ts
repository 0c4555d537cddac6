// HorizontalPodAutoscaler: status is the controller's (kube-apiserver's horizontalpodautoscaler
// strategy clears it on create and keeps it out of spec writes).

import type { KubeObject } from '../../../lib/api/types.js';
import type { Strategy } from './strategy.js';

export const horizontalPodAutoscalerStrategy: Strategy = {
  statusFields: ['status'],
  prepareForCreate(obj: KubeObject) {
    delete (obj as { status?: unknown }).status;
  },
  planDelete: () => ({ action: 'remove' }),
};
