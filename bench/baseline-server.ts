import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import pg from 'pg';
import { parseSecretToken, secretMatches } from '../server/auth/secret-token.ts';

/**
 * The floor `auth.me` is measured against: the same session lookup and secret check, on bare Hono
 * with one `pg` query, and none of tRPC, MikroORM or PAMS's middleware. Env: DATABASE_URL, PORT.
 */

type SessionRow = {
  secret_hash: string;
  expires_at: Date;
  id: string;
  email: string;
  role: string;
  status: string;
  practice_id: string;
  practice_name: string;
};

const sessionQuery = `
  select s.secret_hash, s.expires_at, u.id, u.email, u.role, u.status, u.practice_id, p.name as practice_name
  from session s join users u on u.id = s.user_id join practice p on p.id = u.practice_id
  where s.id = $1`;

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 }); // the ORM's pool size

const app = new Hono().get('/me', async function me(c) {
  const token = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const parsed = token ? parseSecretToken(token) : null;
  const row = parsed && (await pool.query<SessionRow>(sessionQuery, [parsed.id])).rows[0];
  if (!parsed || !row || !secretMatches(parsed.secret, row.secret_hash) || row.status !== 'active' || row.expires_at <= new Date()) {
    return c.json({ error: 'unauthorized' }, 401);
  }
  return c.json({
    user: { id: row.id, email: row.email, role: row.role, status: row.status },
    practice: { id: row.practice_id, name: row.practice_name },
  });
});

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
process.once('SIGINT', () => server.close(() => void pool.end()));
