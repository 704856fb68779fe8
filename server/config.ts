import { z } from 'zod';
import { ConfigError } from './config-error.ts';
import type { AdmissionLimits } from './http/admission.ts';
import { s3StoreOptions } from './modules/files/s3-config.ts';
import type { S3StoreOptions } from './modules/files/s3-file-store.ts';
import { tracingEnvShape } from './observability/tracing-config.ts';
import { MAX_BATCH_CALLS } from '../shared/limits.ts';
import { HL7_MESSAGE_CEILING } from '../shared/schemas/hl7.ts';

const boolFromEnv = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The variables PAMS reads (S3_* aside: s3-config.ts). Exported for tests/deploy, which checks that compose passes only these. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  APP_URL: z.url().optional(),
  DATABASE_URL: z.url().optional(),
  PAMS_DATA_DIR: z.string().min(1).default('.pams'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SMTP_URL: z.url().optional(),
  MAIL_FROM: z.string().min(3).default('PAMS <no-reply@pams.local>'),
  PAMS_ENCRYPTION_KEYS: z.string().regex(/^[A-Za-z0-9_-]+:[A-Za-z0-9+/=]{43,44}(,[A-Za-z0-9_-]+:[A-Za-z0-9+/=]{43,44})*$/, 'expected id:base64key[,id:base64key…]'),
  SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  INVITE_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(72),
  LOGIN_MAX_PER_ACCOUNT_IP: z.coerce.number().int().min(1).default(10),
  LOGIN_MAX_PER_IP: z.coerce.number().int().min(1).default(50),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).default(15),
  LOGIN_MAX_PER_ACCOUNT: z.coerce.number().int().min(1).default(100),
  LOGIN_ACCOUNT_WINDOW_HOURS: z.coerce.number().int().min(1).default(24),
  RATE_LIMIT_PER_CALLER: z.coerce.number().int().min(1).default(3000),
  RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(6000),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  BODY_LIMIT_MB: z.coerce.number().positive().default(1),
  IMPORT_BODY_LIMIT_MB: z.coerce.number().positive().default(16),
  HL7_BODY_LIMIT_MB: z.coerce.number().positive().default(20),
  FILE_MAX_MB: z.coerce.number().positive().default(25),
  TRPC_MAX_BATCH: z.coerce.number().int().min(1).default(MAX_BATCH_CALLS),
  REQUESTS_ACTIVE_MAX: z.coerce.number().int().min(1).default(64),
  REQUESTS_QUEUE_MAX: z.coerce.number().int().min(0).default(1000),
  REQUESTS_QUEUE_MS: z.coerce.number().int().min(0).default(5000),
  TRUST_PROXY: boolFromEnv.default(false),
  ALLOWED_ORIGINS: z.string().default(''),
  LLM_BASE_URL: z.url().optional(),
  LLM_API_KEY: z.string().min(1).optional(),
  LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  LLM_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  LLM_RETRY_DELAY_MS: z.coerce.number().int().min(10).default(30_000),
  MONGODB_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// URL')
    .optional(),
  REMINDER_SWEEP_INTERVAL: z.string().min(1).default('1 minute'),
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  DB_LOCK_TIMEOUT_MS: z.coerce.number().int().min(0).default(5_000),
  DB_IMPORT_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(600_000),
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  NOTIFICATION_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  STREAMS_PER_USER: z.coerce.number().int().min(1).max(100).default(5),
  MESSAGE_RETRACT_MINUTES: z.coerce.number().int().min(0).max(1440).default(5),
  MESSAGE_MAIL_DELAY_MINUTES: z.coerce.number().int().min(1).max(10_080).default(10),
  HL7_MAX_SEGMENTS: z.coerce.number().int().min(10).max(1_000_000).default(5000),
  HL7_MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(HL7_MESSAGE_CEILING)
    .default(512 * 1024),
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/, 'expected a Stripe secret key (sk_test_…, sk_live_… or a restricted rk_…)')
    .optional(),
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]+$/, 'expected a Stripe webhook signing secret (whsec_…)')
    .optional(),
  STRIPE_API_URL: z.url().optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  ...tracingEnvShape,
});

export type Config = Readonly<{
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  appUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  smtpUrl: string | undefined;
  mailFrom: string;
  encryptionKeys: ReadonlyArray<{ id: string; key: Buffer }>;
  sessionTtlMs: number;
  inviteTtlMs: number;
  /** Failed logins per (account, IP) pair and per IP in one window; per account in a longer one (README, Security). */
  loginLimits: { perAccountIp: number; perIp: number; windowSeconds: number; perAccount: number; accountWindowSeconds: number };
  /** Requests per credential and per client IP in one window, on /trpc, /fhir and /hl7. */
  apiRateLimits: { perCaller: number; perIp: number; windowSeconds: number };
  /** Request body limits in bytes: imports.add and /hl7/v2 carry batches, POST /files one uploaded file; everything else the default. */
  /** Documents' bytes go to this S3-compatible bucket when S3_BUCKET is set; to a folder under dataDir otherwise. */
  s3: S3StoreOptions | null;
  bodyLimits: { default: number; imports: number; hl7: number; files: number };
  /** The most calls one tRPC batch request may carry. */
  maxBatchCalls: number;
  /** API calls at work at once, waiting their turn, and how long one may wait (server/http/admission.ts). */
  admission: AdmissionLimits;
  trustProxy: boolean;
  allowedOrigins: readonly string[];
  /** The OpenAI-compatible server that extracts care steps from notes; unset means extraction fails with a reason. */
  llm: { baseUrl: string | undefined; apiKey: string | undefined; model: string; timeoutMs: number; maxAttempts: number; retryDelayMs: number };
  /** Agenda runs on MongoDB when set, on PostgreSQL otherwise. */
  mongodbUrl: string | undefined;
  reminderSweepInterval: string;
  /** Bounds on every connection of the app's pools (0 = no limit for the three PostgreSQL timeouts). */
  database: { connectTimeoutMs: number; statementTimeoutMs: number; lockTimeoutMs: number; idleInTransactionTimeoutMs: number; importStatementTimeoutMs: number };
  /** How long SIGINT/SIGTERM waits for in-flight requests and running jobs before closing anyway. */
  shutdownTimeoutMs: number;
  /** How long notifications are kept (and a stream can resume), and how many live streams one user may hold open in one process. */
  notifications: { retentionMs: number; streamsPerUser: number };
  /** How long a sender may retract a message; how long an unread message waits before its email, which is also the least time between two emails of one conversation to one user. */
  messaging: { retractMs: number; mailDelayMs: number };
  /** The most one HL7 v2 message may hold; a bigger one is refused with an AR that names the limit. */
  hl7Limits: { maxSegments: number; maxBytes: number };
  /** Whether spans go to OTEL_EXPORTER_OTLP_ENDPOINT (observability/with-tracing.ts starts the SDK); log lines then carry the trace and span ids. */
  tracing: boolean;
  /** Online payment of invoices through Stripe Checkout, with both keys set; off (null) otherwise. `apiUrl` points the client elsewhere (stripe-mock, a test's fake). */
  stripe: { secretKey: string; webhookSecret: string; apiUrl: string | undefined } | null;
  /** The metrics listener (off when `port` is unset), and the token that also opens GET /metrics on the public port (README, Metrics). */
  metrics: { port: number | undefined; host: string; token: string | undefined };
}>;

const mebibytes = (mb: number) => Math.round(mb * 2 ** 20);

/** Parses the environment once, at boot. Throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.SMTP_URL) throw new ConfigError(['SMTP_URL: required in production (mail carries invites and resets)']);
  const encryptionKeys = e.PAMS_ENCRYPTION_KEYS.split(',').map((pair) => {
    const [id, b64] = pair.split(':') as [string, string];
    return { id, key: Buffer.from(b64, 'base64') };
  });
  const shortKey = encryptionKeys.find((k) => k.key.length !== 32);
  if (shortKey) throw new ConfigError([`PAMS_ENCRYPTION_KEYS: key "${shortKey.id}" must be 32 bytes`]);
  if (!e.STRIPE_SECRET_KEY !== !e.STRIPE_WEBHOOK_SECRET) {
    throw new ConfigError([
      `${e.STRIPE_SECRET_KEY ? 'STRIPE_WEBHOOK_SECRET' : 'STRIPE_SECRET_KEY'}: required with ${e.STRIPE_SECRET_KEY ? 'STRIPE_SECRET_KEY' : 'STRIPE_WEBHOOK_SECRET'} (online payments need both: the key creates Checkout sessions, the secret verifies the webhook)`,
    ]);
  }
  return Object.freeze({
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    appUrl: (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.PAMS_DATA_DIR,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    logLevel: e.LOG_LEVEL,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    encryptionKeys,
    sessionTtlMs: e.SESSION_TTL_DAYS * 24 * 3600 * 1000,
    inviteTtlMs: e.INVITE_TTL_HOURS * 3600 * 1000,
    loginLimits: {
      perAccountIp: e.LOGIN_MAX_PER_ACCOUNT_IP,
      perIp: e.LOGIN_MAX_PER_IP,
      windowSeconds: e.LOGIN_WINDOW_MINUTES * 60,
      perAccount: e.LOGIN_MAX_PER_ACCOUNT,
      accountWindowSeconds: e.LOGIN_ACCOUNT_WINDOW_HOURS * 3600,
    },
    apiRateLimits: { perCaller: e.RATE_LIMIT_PER_CALLER, perIp: e.RATE_LIMIT_PER_IP, windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS },
    s3: s3StoreOptions(env),
    bodyLimits: { default: mebibytes(e.BODY_LIMIT_MB), imports: mebibytes(e.IMPORT_BODY_LIMIT_MB), hl7: mebibytes(e.HL7_BODY_LIMIT_MB), files: mebibytes(e.FILE_MAX_MB) },
    maxBatchCalls: e.TRPC_MAX_BATCH,
    admission: { active: e.REQUESTS_ACTIVE_MAX, queued: e.REQUESTS_QUEUE_MAX, queueMs: e.REQUESTS_QUEUE_MS },
    trustProxy: e.TRUST_PROXY,
    allowedOrigins: e.ALLOWED_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    llm: { baseUrl: e.LLM_BASE_URL, apiKey: e.LLM_API_KEY, model: e.LLM_MODEL, timeoutMs: e.LLM_TIMEOUT_MS, maxAttempts: e.LLM_MAX_ATTEMPTS, retryDelayMs: e.LLM_RETRY_DELAY_MS },
    mongodbUrl: e.MONGODB_URL,
    reminderSweepInterval: e.REMINDER_SWEEP_INTERVAL,
    database: {
      connectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
      lockTimeoutMs: e.DB_LOCK_TIMEOUT_MS,
      idleInTransactionTimeoutMs: e.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      importStatementTimeoutMs: e.DB_IMPORT_STATEMENT_TIMEOUT_MS,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    hl7Limits: { maxSegments: e.HL7_MAX_SEGMENTS, maxBytes: e.HL7_MAX_MESSAGE_BYTES },
    notifications: { retentionMs: e.NOTIFICATION_RETENTION_DAYS * 24 * 3600 * 1000, streamsPerUser: e.STREAMS_PER_USER },
    messaging: { retractMs: e.MESSAGE_RETRACT_MINUTES * 60_000, mailDelayMs: e.MESSAGE_MAIL_DELAY_MINUTES * 60_000 },
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined,
    stripe: e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET ? { secretKey: e.STRIPE_SECRET_KEY, webhookSecret: e.STRIPE_WEBHOOK_SECRET, apiUrl: e.STRIPE_API_URL } : null,
    metrics: { port: e.METRICS_PORT, host: e.METRICS_HOST, token: e.METRICS_TOKEN },
  });
}
