import { EntitySchema } from '@mikro-orm/core';
import type { Environment } from './merchant';

/** A person who pays a merchant, linked to their payments by phone number. */
export interface Customer {
  id: number;
  /** Public id, `cus_…`. */
  publicId: string;
  merchant: number;
  environment: Environment;
  phoneNumber: string;
  name: string | null;
  email: string | null;
  description: string | null;
  metadata: Record<string, string | number | boolean>;
  createdAt: Date;
  updatedAt: Date;
}

export const CustomerSchema = new EntitySchema<Customer>({
  name: 'Customer',
  tableName: 'customers',
  uniques: [
    { name: 'customers_merchant_environment_phone_unique', properties: ['merchant', 'environment', 'phoneNumber'] },
  ],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    publicId: { type: 'string', length: 40, unique: true },
    merchant: { kind: 'm:1', entity: 'Merchant', mapToPk: true },
    environment: { type: 'string', length: 20 },
    phoneNumber: { type: 'string', length: 12 },
    name: { type: 'string', length: 255, nullable: true },
    email: { type: 'string', length: 320, nullable: true },
    description: { type: 'string', length: 255, nullable: true },
    metadata: { type: 'json', default: '{}' },
    createdAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});
