import { hash, verify } from '@node-rs/argon2';

// @node-rs/argon2's defaults are Argon2id with OWASP's minimum (m=19456 KiB, t=2, p=1).
export const hashPassword = (password: string): Promise<string> => hash(password);

export const verifyPassword = (passwordHash: string, password: string): Promise<boolean> => verify(passwordHash, password).catch(() => false);

/** Verified when the account is unknown, so a wrong email costs the same time as a wrong password. */
export const decoyPasswordHash = await hash('decoy password that matches nothing');
