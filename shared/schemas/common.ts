import { z } from 'zod';

/** Free text. PostgreSQL text cannot hold NUL, so it is refused here with a field message, not deep in SQL. */
export const text = () => z.string().refine((s) => !s.includes('\u0000'), 'must not contain NUL characters');

export const uuid = z.uuid({ message: 'must be a UUID' });
export const email = z.string().trim().toLowerCase().max(320).pipe(z.email({ message: 'must be an email address' }));
export const password = text().min(12, 'must be at least 12 characters').max(256, 'must be at most 256 characters');
export const personName = text().trim().min(1, 'is required').max(200);
export const isoDateTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset' });
export const ianaTimeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC';
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Dublin');

export const idInput = z.object({ id: uuid });
export type IdInput = z.infer<typeof idInput>;

export const pageInput = z.object({
  cursor: text().max(200).optional(),
  limit: z.number().int().min(1).max(100).default(25),
});

export type Page<T> = { items: T[]; nextCursor: string | null };
