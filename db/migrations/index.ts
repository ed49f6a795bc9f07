import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122161736_initial_schema } from './Migration20261122161736_initial_schema';
import { Migration20261122161800_fee_rules_and_default_pricing } from './Migration20261122161800_fee_rules_and_default_pricing';
import { Migration20261122173000_users_customers_environment_keys } from './Migration20261122173000_users_customers_environment_keys';

/** Every migration, in order. Listed by hand so compiled and uncompiled runs find the same set. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261122161736_initial_schema', class: Migration20261122161736_initial_schema },
  { name: 'Migration20261122161800_fee_rules_and_default_pricing', class: Migration20261122161800_fee_rules_and_default_pricing },
  { name: 'Migration20261122173000_users_customers_environment_keys', class: Migration20261122173000_users_customers_environment_keys },
];
