/** The part of autocannon 9's programmatic API the bench uses (the package ships no types). */
declare module 'autocannon' {
  export type Options = {
    url: string;
    connections: number;
    /** Seconds. */
    duration: number;
    method?: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: string;
    /** A run before the measured one, with these overrides; its figures are not in the result. */
    warmup?: { connections?: number; duration?: number };
  };
  /** Latencies in ms, requests per one-second sample. */
  export type Stats = { mean: number; p50: number; p99: number };
  export type Result = { requests: Stats; latency: Stats; errors: number; timeouts: number; non2xx: number };

  export default function autocannon(options: Options): PromiseLike<Result>;
}
