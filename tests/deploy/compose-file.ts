import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type ComposeService = {
  image?: string;
  profiles?: string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: Array<string | { target: number; published?: string | number; host_ip?: string }>;
  healthcheck?: { test: string[] | string };
  volumes?: string[];
  network_mode?: string;
};
export type ComposeFile = { services: Record<string, ComposeService> };

/**
 * docker-compose.yml as Compose reads it with the given shell environment: YAML merge keys (`<<: *pams-env`) applied,
 * then every string interpolated. The forms PAMS's file uses are `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}` and `$$`; any other `$` form throws, so a typo cannot pass unnoticed.
 */
export function readCompose(file: string, env: Record<string, string>): ComposeFile {
  const interpolate = (value: unknown): unknown => {
    if (typeof value === 'string') return interpolateString(value, env);
    if (Array.isArray(value)) return value.map(interpolate);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v)]));
    return value;
  };
  return interpolate(parse(readFileSync(file, 'utf8'), { merge: true })) as ComposeFile;
}

function interpolateString(text: string, env: Record<string, string>): string {
  return text.replace(/\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}$]*))?\}|.|$)/g, (whole, _, name?: string, colon?: string, op?: string, word?: string) => {
    if (whole === '$$') return '$';
    if (!name) throw new Error(`compose: unsupported interpolation at "${text}"`);
    const value = env[name];
    const missing = value === undefined || (colon === ':' && value === '');
    if (op === '?' && missing) throw new Error(`compose: ${name} is required: ${word}`);
    return missing ? (op === '-' ? (word ?? '') : '') : value;
  });
}

/** A published port as Compose reads the short syntax (`[host_ip:]published:target`) or the long one. */
export function publishedPort(port: NonNullable<ComposeService['ports']>[number]): { hostIp: string | undefined; published: string; target: number } {
  if (typeof port !== 'string') return { hostIp: port.host_ip, published: String(port.published ?? ''), target: port.target };
  const parts = port.split(':');
  const target = Number.parseInt(parts.at(-1)!, 10);
  return parts.length === 3 ? { hostIp: parts[0], published: parts[1]!, target } : { hostIp: undefined, published: parts.length === 2 ? parts[0]! : '', target };
}
