import { EntitySchema, type OptionalProps } from '@mikro-orm/core';

export type UserRole = 'merchant' | 'admin';

/** A person who signs in to the dashboard. Merchant users belong to one merchant; admins to none. */
export interface User {
  /** Filled in on insert (`onCreate`), so `em.create` does not ask for it. */
  [OptionalProps]?: 'createdAt';
  id: number;
  email: string;
  /** scrypt hash with its parameters and salt (domain/passwords.ts). */
  passwordHash: string;
  role: UserRole;
  merchant: number | null;
  createdAt: Date;
}

export const UserSchema = new EntitySchema<User>({
  name: 'User',
  tableName: 'users',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    email: { type: 'string', length: 320, unique: true },
    passwordHash: { type: 'string', length: 255 },
    role: { type: 'string', length: 10, default: 'merchant' },
    merchant: { kind: 'm:1', entity: 'Merchant', mapToPk: true, nullable: true, index: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
  },
});

/** A dashboard sign-in. Only the SHA-256 of the bearer token is stored. */
export interface Session {
  /** Filled in on insert (`onCreate`), so `em.create` does not ask for it. */
  [OptionalProps]?: 'createdAt';
  id: number;
  tokenHash: string;
  user: number;
  expiresAt: Date;
  revokedAt: Date | null;
  createdAt: Date;
}

export const SessionSchema = new EntitySchema<Session>({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    tokenHash: { type: 'string', length: 64, unique: true },
    user: { kind: 'm:1', entity: 'User', mapToPk: true, index: true },
    expiresAt: { type: 'datetime' },
    revokedAt: { type: 'datetime', nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
  },
});
