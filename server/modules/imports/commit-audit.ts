/** Who commits an import, written into the audit row of every patient or record it writes. */
export type CommitAudit = { practiceId: string; actorId: string; requestId: string; ip: string | null; importId: string };
