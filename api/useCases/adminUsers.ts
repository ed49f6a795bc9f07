import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { KycStatus, UserRole } from '../../db/entities';
import { parseInput } from '../validate';
import { validationError } from '../../domain/errors';
import { MAX_SERIAL_ID } from '../../domain/ids';
import { decodeIdCursor, encodeIdCursor, textParam } from './listParams';

/** The query of GET /api/admin/users. */
export const userListQuerySchema = z.object({
  kyc_status: z
    .enum(['unverified', 'pending', 'verified', 'rejected'], {
      error: 'kyc_status must be one of unverified, pending, verified, rejected',
    })
    .optional(),
  role: z.enum(['merchant', 'admin'], { error: 'role must be merchant or admin' }).optional(),
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(500, 'limit must be at most 500')
    .default(100),
  /** Case-insensitive words in the user's email, the business name or email, or the name on its KYC submission. */
  q: textParam('q').optional(),
  /** The X-Next-Cursor header of the previous page. */
  cursor: textParam('cursor', 200).optional(),
  /** The last id of the previous page (the older form of `cursor`). */
  after_id: z.coerce
    .number({ error: 'after_id must be a number' })
    .int('after_id must be a whole number')
    .min(0, 'after_id cannot be negative')
    .max(MAX_SERIAL_ID, 'after_id is not a valid id')
    .default(0),
});

/** One dashboard user, with the merchant it belongs to (null for admins). */
export interface AdminUserBody {
  id: number;
  email: string;
  role: UserRole;
  created_at: string;
  merchant: { id: number; name: string; kyc_status: KycStatus } | null;
}

interface UserRow {
  id: number;
  email: string;
  role: UserRole;
  created_at: Date;
  merchant_id: number | null;
  merchant_name: string | null;
  kyc_status: KycStatus | null;
}

/** `%`, `_` and `\` match themselves in a search, not any text. */
const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * GET /api/admin/users: users in id order, filtered by role, by the merchant's KYC status and by a
 * search (`q`) in the user's email, the business name and email, and the names on its KYC
 * submissions, case-insensitive. Pages are keyset-paged by id: `nextCursor` (the X-Next-Cursor
 * header) is set when more rows exist. Errors: 400 validation_failed naming the bad field.
 */
export async function listUsers(
  em: EntityManager,
  query: unknown,
): Promise<{ users: AdminUserBody[]; nextCursor: string | null }> {
  const { kyc_status, role, q, cursor, limit, after_id } = parseInput(userListQuerySchema, query);
  const afterId = cursor === undefined ? after_id : decodeIdCursor(cursor);
  if (afterId === null)
    throw validationError(
      'cursor is not one this API issued: send the X-Next-Cursor header of the previous page unchanged',
      'cursor',
    );
  const conditions = ['u.id > ?'];
  const params: unknown[] = [afterId];
  if (kyc_status) {
    conditions.push('m.kyc_status = ?');
    params.push(kyc_status);
  }
  if (role) {
    conditions.push('u.role = ?');
    params.push(role);
  }
  if (q) {
    const pattern = `%${likeEscape(q)}%`;
    conditions.push(
      `(u.email ilike ? or m.name ilike ? or m.email ilike ?
        or exists (select 1 from kyc_submissions k
                    where k.merchant_id = m.id and (k.full_name ilike ? or k.business_name ilike ?)))`,
    );
    params.push(pattern, pattern, pattern, pattern, pattern);
  }
  // One row more than the page says whether another page follows.
  const rows = await em.getConnection().execute<UserRow[]>(
    `select u.id, u.email, u.role, u.created_at, m.id as merchant_id, m.name as merchant_name, m.kyc_status
       from users u left join merchants m on m.id = u.merchant_id
      where ${conditions.join(' and ')}
      order by u.id
      limit ?`,
    [...params, limit + 1],
  );
  const page = rows.slice(0, limit);
  const users = page.map((row) => ({
    id: row.id,
    email: row.email,
    role: row.role,
    created_at: new Date(row.created_at).toISOString(),
    merchant:
      row.merchant_id === null ? null : { id: row.merchant_id, name: row.merchant_name!, kyc_status: row.kyc_status! },
  }));
  return { users, nextCursor: rows.length > limit ? encodeIdCursor(page.at(-1)!.id) : null };
}
