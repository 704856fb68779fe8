import { Command } from 'commander';
import { printRecord } from '../output.ts';
import { onLocalDatabase } from './local.ts';
import { startProgress, type Progress } from '../progress.ts';

/** Local: works on the database directly, and may run while the server does. */
export const keysCommand = new Command('keys').description('encryption keys (PAMS_ENCRYPTION_KEYS)');

keysCommand
  .command('rotate')
  .description("re-wrap every note's data key and TOTP secret under the first (newest) key; keep the old keys listed until it is done")
  .option('--batch-size <n>', 'rows per transaction', (v) => Number(v), 500)
  .option('--json', 'print JSON for scripts')
  .action(async (opts: { batchSize: number; json?: boolean }) => {
    const { withRuntime } = await import('../../server/runtime.ts');
    const { rotateEncryptionKeys } = await import('../../server/modules/notes/key-rotation.service.ts');
    await onLocalDatabase(() =>
      withRuntime(async ({ orm, config }) => {
        let progress: Progress | undefined; // the total is known once the first batch is counted
        const onProgress = ({ done, total }: { done: number; total: number }) => (progress ??= startProgress('Re-wrapping note keys', 'notes', total)).update(done, done);
        const result = await rotateEncryptionKeys({ orm, config }, { batchSize: opts.batchSize, onProgress });
        progress?.stop();
        printRecord(result, !!opts.json);
      }),
    );
  });
