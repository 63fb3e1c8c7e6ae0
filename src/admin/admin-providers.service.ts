import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { AdminAction } from '../admin-audit/admin-action.js';
import { AdminAudit } from '../admin-audit/admin-audit.service.js';
import { InvalidFieldsError } from '../http/api-error.js';
import { ProviderRemoval } from '../identities/provider-removal.service.js';
import { type ProviderDto, toProviderDto } from '../sign-in-providers/dto/provider.dto.js';
import { ProviderInputError } from '../sign-in-providers/provider-input.js';
import { ProviderError, SignInProvidersService } from '../sign-in-providers/sign-in-providers.service.js';
import type { AddProviderDto } from './dto/add-provider.dto.js';
import type { Operator } from './admin-users.service.js';

export const PROVIDER_NOT_FOUND_MESSAGE = 'Provider not found';
export const PROVIDER_EXISTS_MESSAGE = 'Provider already exists';

/** The sign-in providers through the admin API: what the CLI does, each change with its audit entry. */
@Injectable()
export class AdminProvidersService {
  constructor(
    private readonly providers: SignInProvidersService,
    private readonly removal: ProviderRemoval,
    private readonly audit: AdminAudit,
  ) {}

  async list(): Promise<ProviderDto[]> {
    return (await this.providers.list()).map(toProviderDto);
  }

  async add(dto: AddProviderDto, { key, client }: Operator): Promise<ProviderDto> {
    try {
      const added = await this.providers.add(
        {
          id: dto.id,
          kind: dto.kind,
          issuer: dto.issuer,
          clientId: dto.client_id,
          clientSecret: dto.client_secret,
          name: dto.name,
          trustEmail: dto.trust_email,
        },
        (tx, provider) =>
          this.audit.record(tx, {
            keyName: key.name,
            action: AdminAction.AddProvider,
            target: { provider: provider.id },
            clientAddress: client.address,
          }),
      );
      return toProviderDto(added);
    } catch (error) {
      if (error instanceof ProviderInputError) throw new InvalidFieldsError([{ field: error.field, message: error.message }]);
      if (error instanceof ProviderError) throw new ConflictException(PROVIDER_EXISTS_MESSAGE);
      throw error;
    }
  }

  async remove(id: string, { key, client }: Operator): Promise<void> {
    try {
      await this.removal.remove(id, client, (tx, provider) =>
        this.audit.record(tx, {
          keyName: key.name,
          action: AdminAction.RemoveProvider,
          target: { provider: provider.id },
          clientAddress: client.address,
        }),
      );
    } catch (error) {
      if (error instanceof ProviderError) throw new NotFoundException(PROVIDER_NOT_FOUND_MESSAGE);
      throw error;
    }
  }
}
