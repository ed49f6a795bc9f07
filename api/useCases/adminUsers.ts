import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { KycStatus, UserRole } from '../../db/entities';
import { parseInput } from '../validate';
import { MAX_SERIAL_ID } from '../../domain/ids';

/** The query of GET /api/admin/users. */
export const userListQuerySchema = z.object({
  kyc_status: z
    .enum(['unverified', 'pending', 'verified', 'rejected'], { error: 'kyc_status must be one of unverified, pending, verified, rejected' })
    .optional(),
  role: z.enum(['merchant', 'admin'], { error: 'role must be merchant or admin' }).optional(),
  limit: z.coerce.number({ error: 'limit must be a number' }).int('limit must be a whole number').min(1, 'limit must be at least 1').max(500, 'limit must be at most 500').default(100),
  /** Cursor: the last id of the previous page. */
  after_id: z.coerce.number({ error: 'after_id must be a number' }).int('after_id must be a whole number').min(0, 'after_id cannot be negative').max(MAX_SERIAL_ID, 'after_id is not a valid id').default(0),
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

/** GET /api/admin/users: every user in id order, filtered by role or by the merchant's KYC status. */
export async function listUsers(em: EntityManager, query: unknown): Promise<AdminUserBody[]> {
  const { kyc_status, role, limit, after_id } = parseInput(userListQuerySchema, query);
  const conditions = ['u.id > ?'];
  const params: unknown[] = [after_id];
  if (kyc_status) {
    conditions.push('m.kyc_status = ?');
    params.push(kyc_status);
  }
  if (role) {
    conditions.push('u.role = ?');
    params.push(role);
  }
  const rows = await em.getConnection().execute<UserRow[]>(
    `select u.id, u.email, u.role, u.created_at, m.id as merchant_id, m.name as merchant_name, m.kyc_status
       from users u left join merchants m on m.id = u.merchant_id
      where ${conditions.join(' and ')}
      order by u.id
      limit ?`,
    [...params, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    email: row.email,
    role: row.role,
    created_at: new Date(row.created_at).toISOString(),
    merchant: row.merchant_id === null ? null : { id: row.merchant_id, name: row.merchant_name!, kyc_status: row.kyc_status! },
  }));
}
