import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import { AccountForeignKey } from '../users/account-foreign-key.js';

/**
 * The personal data of an account, apart from its identity (email, status,
 * password), so that the login path reads a narrow row and the profile can
 * be exported or erased as a unit. At most one row per account, written on
 * the first profile update: an account without a row has an empty profile.
 */
@Entity({ name: 'user_profiles' })
export class ProfileEntity {
  @PrimaryColumn({ name: 'user_id', type: 'int' })
  userId: number;

  @AccountForeignKey('FK_user_profiles_user', 'one')
  user?: unknown;

  @Column({ name: 'first_name', type: 'varchar', length: 100, default: '' })
  firstName: string;

  @Column({ name: 'last_name', type: 'varchar', length: 100, default: '' })
  lastName: string;

  @Column({ type: 'varchar', length: 100, default: '' })
  country: string;

  @Column({ type: 'varchar', length: 100, default: '' })
  department: string;

  @Column({ type: 'varchar', length: 2048, default: '' })
  avatar: string;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt: number;
}
