/** The part of autocannon 9's programmatic API the bench uses (the package ships no types). */
declare module 'autocannon' {
  /** One request as autocannon builds it; `setupRequest` gets a copy with the defaults filled in. */
  export type RequestParams = {
    method?: 'GET' | 'POST';
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  };
  export type Request = RequestParams & {
    /** Called before each request of this kind is sent; returns the request to send. */
    setupRequest?: (request: RequestParams, context: Record<string, unknown>) => RequestParams;
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void;
  };
  export type Options = {
    url: string;
    connections: number;
    /** Seconds. */
    duration: number;
    method?: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: string;
    /** Each connection sends these in turn, over and over (default: one request made of the options above). */
    requests?: Request[];
    /** A run before the measured one, with these overrides; its figures are not in the result. */
    warmup?: { connections?: number; duration?: number };
  };
  /** Latencies in ms, requests per one-second sample; `total` is the count (of completed requests). */
  export type Stats = { mean: number; p50: number; p99: number; total: number };
  export type Result = {
    requests: Stats;
    latency: Stats;
    errors: number;
    timeouts: number;
    non2xx: number;
    /** Responses by HTTP status, e.g. `{ "200": { count: 500 } }`. */
    statusCodeStats: Record<string, { count: number }>;
    /** The warm-up run's result, when there was one. */
    warmup?: Result;
  };

  export default function autocannon(options: Options): PromiseLike<Result>;
}
