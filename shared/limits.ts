/**
 * The most calls the server takes in one tRPC batch by default (TRPC_MAX_BATCH). The client splits larger
 * batches into requests of this size, so a page or script that fires many calls at once still works.
 */
export const MAX_BATCH_CALLS = 20;
