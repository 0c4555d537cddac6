// `npx tsx bench/usage-sampling-run.ts`: only the usage-sampling benchmark (npm run bench runs it with the others).
import { benchUsageSampling, formatUsageSampling } from './usage-sampling.js';

benchUsageSampling().then(
  (costs) => console.log(formatUsageSampling(costs)),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
