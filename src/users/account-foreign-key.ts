import { JoinColumn, ManyToOne, OneToOne, type RelationOptions } from 'typeorm';
import { UserEntity } from './user.entity.js';

/**
 * No ON UPDATE rule named, as the migrations created these keys: each
 * database's own default (RESTRICT on MySQL, NO ACTION on SQLite), the same
 * thing for an id that never changes. TypeORM writes and compares a rule
 * only when it is not empty.
 */
const DATABASE_DEFAULT_RULE = '' as NonNullable<RelationOptions['onUpdate']>;

/**
 * Declares `user_id` a foreign key to the account, under the name the
 * migrations gave it: the row goes with its account (ON DELETE CASCADE).
 * The relation is never loaded; it exists for the schema.
 */
export function AccountForeignKey(constraintName: string, cardinality: 'one' | 'many' = 'many'): PropertyDecorator {
  const relation = cardinality === 'one' ? OneToOne : ManyToOne;
  const decorators = [
    relation(() => UserEntity, { onDelete: 'CASCADE', onUpdate: DATABASE_DEFAULT_RULE }),
    JoinColumn({ name: 'user_id', foreignKeyConstraintName: constraintName }),
  ];
  return (target, property) => {
    for (const decorate of decorators) decorate(target, property as string);
  };
}
