import { Inject, Injectable } from '@nestjs/common';
import type { DbClient, Prisma } from '@babble-buddy/db';
import { DB } from '../infra/tokens';
import type { Actor } from './actor';

/** A client or an open transaction: audit rows are written in the same transaction as the change. */
export type DbTx = Prisma.TransactionClient | DbClient;

export interface AuditEntry {
  /** Null for platform-level events and for tenants being deleted (their rows go with them). */
  tenantId: string | null;
  /** `entity.verb`, e.g. `tenant.create`, `key.revoke`, `llm.update`. */
  action: string;
  target: string | null;
  /** Non-secret facts about the change: never keys, passwords or prompts' secrets. */
  details?: Prisma.InputJsonObject;
}

/** Records every change operators make, from the admin API (`api`) or the CLI (`cli`). */
@Injectable()
export class AuditService {
  constructor(@Inject(DB) private readonly db: DbClient) {}

  async record(actor: Actor, entry: AuditEntry, tx: DbTx = this.db): Promise<void> {
    await tx.auditLog.create({
      data: {
        channel: actor.channel,
        actorId: actor.userId,
        tenantId: entry.tenantId,
        action: entry.action,
        target: entry.target,
        details: entry.details ?? {},
      },
    });
  }
}

type Scalar = string | number | boolean | null;

/** `{ field: { from, to } }` for the fields a patch actually changes (dates as ISO strings). */
export function changes(before: Record<string, unknown>, patch: Record<string, Scalar | undefined>): Record<string, { from: Scalar; to: Scalar }> {
  const result: Record<string, { from: Scalar; to: Scalar }> = {};
  for (const [field, to] of Object.entries(patch)) {
    const value = before[field];
    const from = value instanceof Date ? value.toISOString() : typeof value === 'object' || value === undefined ? null : (value as Scalar);
    if (to === undefined || from === to) continue;
    result[field] = { from, to };
  }
  return result;
}
