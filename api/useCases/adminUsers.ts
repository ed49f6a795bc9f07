import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { KycStatus, UserRole } from '../../db/entities';
import { searchUsers } from '../../db/adminUsers';
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

/** GET /api/admin/users's query, parsed. */
export type UserListQuery = z.infer<typeof userListQuerySchema>;

/** One dashboard user, with the merchant it belongs to (null for admins). */
export interface AdminUserBody {
  id: number;
  email: string;
  role: UserRole;
  created_at: string;
  merchant: { id: number; name: string; kyc_status: KycStatus } | null;
}

/**
 * GET /api/admin/users: users in id order, filtered by role, by the merchant's KYC status and by a
 * search (`q`) in the user's email, the business name and email, and the names on its KYC
 * submissions, case-insensitive. Pages are keyset-paged by id: `nextCursor` (the X-Next-Cursor
 * header) is set when more rows exist. Errors: 400 validation_failed (field `cursor`) for a cursor
 * this API did not issue.
 */
export async function listUsers(
  em: EntityManager,
  query: UserListQuery,
): Promise<{ users: AdminUserBody[]; nextCursor: string | null }> {
  const { kyc_status, role, q, cursor, limit, after_id } = query;
  const afterId = cursor === undefined ? after_id : decodeIdCursor(cursor);
  if (afterId === null)
    throw validationError(
      'cursor is not one this API issued: send the X-Next-Cursor header of the previous page unchanged',
      'cursor',
    );
  const { rows, lastId } = await searchUsers(em, { afterId, kycStatus: kyc_status, role, q, limit });
  const users = rows.map((row) => ({
    id: row.id,
    email: row.email,
    role: row.role,
    created_at: new Date(row.created_at).toISOString(),
    merchant:
      row.merchant_id === null ? null : { id: row.merchant_id, name: row.merchant_name!, kyc_status: row.kyc_status! },
  }));
  return { users, nextCursor: lastId === null ? null : encodeIdCursor(lastId) };
}
