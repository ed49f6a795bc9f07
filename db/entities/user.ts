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
  /** The TOTP secret of two-step sign-in, sealed (domain/secretBox.ts); null when it is off. */
  totpSecretCiphertext?: string | null;
  /** A TOTP secret being enrolled, sealed, until its first code confirms it. */
  totpPendingCiphertext?: string | null;
  totpEnabledAt?: Date | null;
  /** The last TOTP time step accepted (RFC 6238 T): a code is accepted once. Bigint, read as a string. */
  totpLastStep?: string | null;
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
    totpSecretCiphertext: { type: 'string', length: 255, nullable: true },
    totpPendingCiphertext: { type: 'string', length: 255, nullable: true },
    totpEnabledAt: { type: 'datetime', nullable: true },
    totpLastStep: { type: 'bigint', nullable: true },
  },
});

/** One recovery code of a user's two-step sign-in: only its keyed SHA-256 is stored; each works once. */
export interface RecoveryCode {
  [OptionalProps]?: 'createdAt';
  id: number;
  user: number;
  codeHash: string;
  usedAt: Date | null;
  createdAt: Date;
}

export const RecoveryCodeSchema = new EntitySchema<RecoveryCode>({
  name: 'RecoveryCode',
  tableName: 'user_recovery_codes',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    user: { kind: 'm:1', entity: 'User', mapToPk: true, index: true },
    codeHash: { type: 'string', length: 64, unique: true },
    usedAt: { type: 'datetime', nullable: true },
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
