import type { EntityManager } from '@mikro-orm/postgresql';
import type { KycStatus, UserRole } from './entities';
import { keysetAfter, keysetOrder, keysetPage } from './keyset';

/** What the staff user list filters on. */
export interface UserSearch {
  /** Continue after this user id (0 for the first page). */
  afterId: number;
  kycStatus?: KycStatus;
  role?: UserRole;
  /** Case-insensitive words in the user's email, the business name or email, or a name on its KYC submissions. */
  q?: string;
  /** Rows per page, at least 1. */
  limit: number;
}

/** One user with its merchant's name and KYC status (all null for admins). */
export interface UserSearchRow {
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
 * One page of users in id order after `afterId`, filtered by role, by the merchant's KYC status
 * and by `q`. `lastId` is the id the next page continues after, or null on the last page.
 */
export async function searchUsers(
  em: EntityManager,
  search: UserSearch,
): Promise<{ rows: UserSearchRow[]; lastId: number | null }> {
  const after = keysetAfter(['u.id'], 'asc', [search.afterId])!;
  const conditions = [after.sql];
  const params: unknown[] = [...after.params];
  if (search.kycStatus) {
    conditions.push('m.kyc_status = ?');
    params.push(search.kycStatus);
  }
  if (search.role) {
    conditions.push('u.role = ?');
    params.push(search.role);
  }
  if (search.q) {
    const pattern = `%${likeEscape(search.q)}%`;
    conditions.push(
      `(u.email ilike ? or m.name ilike ? or m.email ilike ?
        or exists (select 1 from kyc_submissions k
                    where k.merchant_id = m.id and (k.full_name ilike ? or k.business_name ilike ?)))`,
    );
    params.push(pattern, pattern, pattern, pattern, pattern);
  }
  // One row more than the page says whether another page follows.
  const rows = await em.getConnection().execute<UserSearchRow[]>(
    `select u.id, u.email, u.role, u.created_at, m.id as merchant_id, m.name as merchant_name, m.kyc_status
       from users u left join merchants m on m.id = u.merchant_id
      where ${conditions.join(' and ')}
      order by ${keysetOrder(['u.id'], 'asc')}
      limit ?`,
    [...params, search.limit + 1],
  );
  const { page, last } = keysetPage(rows, search.limit);
  return { rows: page, lastId: last ? last.id : null };
}
