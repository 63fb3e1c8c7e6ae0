import { Column, Entity, Index } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer.js';
import { GIVEN_UP, OutboxRow, PENDING } from '../outbox/outbox-row.js';

export const LogoutDeliveryStatus = { Pending: PENDING, Delivered: 'delivered', Failed: GIVEN_UP } as const;

/**
 * A back-channel logout (48) on its way to a client's
 * `backchannel_logout_uri`, written in the transaction that ends the
 * session. The payload (JSON) is what the logout token will say: `sub` as
 * the client knows it, `sid` when a session ended, and its `jti`, the same
 * on every try, so the client can drop repeats; the token itself is signed
 * at each try. No foreign key to the account: the logout of an erased
 * account is still owed.
 */
@Entity({ name: 'oidc_logout_deliveries' })
@Index('IDX_oidc_logout_deliveries_due', ['status', 'nextAttemptAt'])
export class LogoutDeliveryEntity extends OutboxRow {
  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId: string;

  @Column({ type: 'varchar', length: 500 })
  endpoint: string;

  @Column({ name: 'first_attempt_at', type: 'bigint', nullable: true, transformer: epochMs })
  firstAttemptAt: number | null;

  @Column({ name: 'delivered_at', type: 'bigint', nullable: true, transformer: epochMs })
  deliveredAt: number | null;
}
