import { JoinColumn, ManyToOne, type RelationOptions } from 'typeorm';
import { SignInProviderEntity } from './sign-in-provider.entity.js';

/** As the migrations made the key: the database's own ON UPDATE rule (see users/account-foreign-key.ts). */
const DATABASE_DEFAULT_RULE = '' as NonNullable<RelationOptions['onUpdate']>;

/**
 * Declares `provider_id` a foreign key to a sign-in provider, under the
 * name the migrations gave it: the row goes with its provider (ON DELETE
 * CASCADE). The relation is never loaded; it exists for the schema.
 */
export function ProviderForeignKey(constraintName: string): PropertyDecorator {
  const decorators = [
    ManyToOne(() => SignInProviderEntity, { onDelete: 'CASCADE', onUpdate: DATABASE_DEFAULT_RULE }),
    JoinColumn({ name: 'provider_id', foreignKeyConstraintName: constraintName }),
  ];
  return (target, property) => {
    for (const decorate of decorators) decorate(target, property as string);
  };
}
