import { Inject, Injectable } from '@nestjs/common';
import type { TokenPrincipal } from '../auth/access-tokens.service.js';
import type { ClientInfo } from '../common/client-info.js';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { ImageEntity } from '../images/image.entity.js';
import { ProfileService } from '../profile/profile.service.js';
import { type SecurityEventEntity, SecurityEventType } from '../security-events/security-event.entity.js';
import { SecurityEvents } from '../security-events/security-events.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { UserEntity } from '../users/user.entity.js';
import { ValidationCodesService } from '../users/validation-codes.service.js';
import type { AccountExportDto } from './dto/account-export.dto.js';
import type { SecurityEventDto } from './dto/security-event.dto.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Everything kept about an event except its row id: no secret is ever part of one. */
export function toSecurityEventDto(event: SecurityEventEntity): SecurityEventDto {
  return { type: event.type, at: iso(event.at), client_address: event.clientAddress, user_agent: event.userAgent };
}

/** A copy of everything held about an account, in one JSON document. Nothing secret is read. */
@Injectable()
export class AccountExportService {
  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly sessions: SessionsService,
    private readonly codes: ValidationCodesService,
    private readonly profiles: ProfileService,
  ) {}

  /** The export is itself recorded, in the transaction that reads what it shows. */
  async export(principal: TokenPrincipal, client: ClientInfo): Promise<AccountExportDto> {
    const userId = principal.user.id;
    await this.sessions.refresh();
    return this.transactions.run(async (tx) => {
      const now = Date.now();
      await this.events.record(tx, userId, SecurityEventType.Export, client, now);
      const account = await tx.findOneOrFail(UserEntity, {
        where: { id: userId },
        select: { email: true, status: true, createdAt: true, updatedAt: true },
      });
      const profile = await this.profiles.read(userId, tx);
      const images = await tx.find(ImageEntity, { where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
      const pending = await this.codes.pendingEmailChange(userId, tx);
      const events = await this.events.latest(userId, Number.MAX_SAFE_INTEGER, tx);
      return {
        exported_at: iso(now),
        account: { email: account.email, status: account.status, created_at: iso(account.createdAt), updated_at: iso(account.updatedAt) },
        profile: {
          first_name: profile.firstName,
          last_name: profile.lastName,
          country: profile.country,
          department: profile.department,
          avatar: profile.avatar,
        },
        sessions: await this.sessions.list(userId, principal.tokenId, tx),
        images: images.map((image) => ({
          url: `${this.config.publicUrl}/one_auth/images/${image.name}`,
          content_type: image.contentType,
          bytes: image.bytes,
          created_at: iso(image.createdAt),
        })),
        pending_email_change: pending && { new_email: pending.newEmail, expires_at: iso(pending.expiresAt) },
        events: events.map(toSecurityEventDto),
      };
    });
  }
}
