// `kubelab annotate TYPE NAME k=v k2- [--overwrite]`: label.ts's logic on metadata.annotations.

import { metadataCommand } from './label.js';

export const annotateCommand = metadataCommand('annotate', 'annotations');
