// Preloaded into a `pams` child (NODE_OPTIONS=--import) by tracing.test.ts: appends the URL of every
// OpenTelemetry module the process resolves, by import or require alike, to PAMS_TEST_MODULE_LOG.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const log = process.env.PAMS_TEST_MODULE_LOG;
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    if (log && resolved.url.includes('/@opentelemetry/')) appendFileSync(log, `${resolved.url}\n`);
    return resolved;
  },
});
