import type { Context } from 'hono';
import { Hono } from 'hono';
import { splitHl7Messages } from '../../../shared/hl7-framing.ts';
import { HL7_MAX_BATCH_MESSAGES } from '../../../shared/schemas/hl7.ts';
import type { AppDeps } from '../../context.ts';
import { DATABASE_RETRY_AFTER_SECONDS } from '../../database-errors.ts';
import { callFailure, routerCalls, type RouterCallEnv } from '../../http/router-calls.ts';

const HL7_MEDIA_TYPE = 'x-application/hl7-v2+er7; charset=utf-8';

/**
 * POST /hl7/v2: for interface engines that speak HTTP. The body holds one or more messages (MLLP framing
 * tolerated); the answer holds an ACK per message, in order, one after the other (each ACK's segments end
 * with \r, and a \n follows each ACK). Authenticated like /trpc (an admin's API token as `Authorization: Bearer`, or a session).
 * The messages go through the `hl7.receiveBatch` procedure, in order, so the rules are the tRPC API's own.
 */
export function hl7Routes(deps: AppDeps, socketIp: (c: Context) => string | null) {
  // Its body limit (HL7_BODY_LIMIT_MB) is enforced in front of it, by server/http/body-limit.ts.
  return new Hono<RouterCallEnv>().post('/v2', routerCalls(deps, socketIp), async function receiveHl7(c) {
    const { ctx, caller } = c.var;
    if (ctx.unavailable) throw ctx.unavailable; // a 503 (app.ts), not a 401: the credential could not be looked up
    if (!ctx.actor) return c.text('authentication required: Authorization: Bearer <API token>\n', 401); // before reading the body
    const messages = splitHl7Messages(await c.req.text());
    if (!messages.length) return c.text('no HL7 message in the body', 400);
    const acks: string[] = [];
    // Messages before the failed one were answered; an engine resends from the first one without an ACK.
    const failed = (status: number, reason: string) =>
      c.text(`${acks.map((a) => `${a}\n`).join('')}${reason}\n`, status as 400, status === 503 ? { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) } : {});
    try {
      for (let i = 0; i < messages.length; i += HL7_MAX_BATCH_MESSAGES) {
        const { results, stopped } = await caller.hl7.receiveBatch({ messages: messages.slice(i, i + HL7_MAX_BATCH_MESSAGES) });
        acks.push(...results.map((r) => r.ack));
        if (stopped) return failed(503, stopped);
      }
    } catch (e) {
      const { status, message } = callFailure(c, e, deps.log, 'hl7 receive');
      return failed(status, message);
    }
    return c.body(acks.map((a) => `${a}\n`).join(''), 200, { 'content-type': HL7_MEDIA_TYPE });
  });
}
