import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import { AccountForeignKey } from '../users/account-foreign-key.js';

/** An uploaded image, stored under a server-made name. */
@Entity({ name: 'images' })
@Unique('UQ_images_name', ['name'])
export class ImageEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Index('IDX_images_user_id')
  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @AccountForeignKey('FK_images_user')
  user?: unknown;

  @Column({ name: 'content_type', type: 'varchar', length: 32 })
  contentType: string;

  @Column({ type: 'int' })
  bytes: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;
}
