import { z } from 'zod';
import { ConfigError } from '../../config-error.ts';
import type { S3StoreOptions } from './s3-file-store.ts';

const s3EnvSchema = z.object({
  S3_BUCKET: z
    .string()
    .regex(/^[A-Za-z0-9._-]{3,63}$/, 'expected a bucket name (3 to 63 letters, digits, dots, hyphens)')
    .optional(),
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
  S3_PREFIX: z.string().optional(),
});

/**
 * Where documents' bytes go when S3_BUCKET is set: the S3 store's options, or null for the local folder.
 * Throws a ConfigError naming every bad or half-set variable (an S3_* setting without S3_BUCKET would
 * otherwise leave files on the local disk unnoticed).
 */
export function s3StoreOptions(env: Record<string, string | undefined>): S3StoreOptions | null {
  const parsed = s3EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('S3_') && v !== '')));
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = parsed.data;
  const problems: string[] = [];
  if (e.S3_ACCESS_KEY_ID && !e.S3_SECRET_ACCESS_KEY) problems.push('S3_SECRET_ACCESS_KEY: required with S3_ACCESS_KEY_ID');
  if (e.S3_SECRET_ACCESS_KEY && !e.S3_ACCESS_KEY_ID) problems.push('S3_ACCESS_KEY_ID: required with S3_SECRET_ACCESS_KEY');
  if (!e.S3_BUCKET) {
    const set = Object.keys(env).filter((k) => k.startsWith('S3_') && env[k]);
    if (set.length) problems.push(`S3_BUCKET: required with ${set.join(', ')} (S3 storage is on only when a bucket is named)`);
  }
  if (problems.length) throw new ConfigError(problems);
  if (!e.S3_BUCKET) return null;
  // The prefix is a folder: `pams`, `/pams/` and `pams/` all put keys under `pams/`.
  const prefix = (e.S3_PREFIX ?? '').replace(/^\/+|\/+$/g, '');
  return {
    bucket: e.S3_BUCKET,
    endpoint: e.S3_ENDPOINT,
    region: e.S3_REGION,
    credentials: e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY } : undefined,
    forcePathStyle: e.S3_FORCE_PATH_STYLE ?? e.S3_ENDPOINT !== undefined,
    prefix: prefix ? `${prefix}/` : '',
  };
}
