import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AdminAction } from '../admin-audit/admin-action.js';
import { AdminAudit } from '../admin-audit/admin-audit.service.js';
import type { ApiKeyPrincipal } from '../api-keys/api-keys.service.js';
import type { ClientInfo } from '../http/client-info.js';
import { withDefaults } from './client-registration.js';
import type { ClientDto, ClientSecretDto, ClientWithSecretDto } from './dto/client.dto.js';
import type { CreateClientDto, UpdateClientDto } from './dto/client-registration.dto.js';
import { ClientChangeError, ClientNotFoundError, OidcClientsService } from './oidc-clients.service.js';

export const CLIENT_NOT_FOUND_MESSAGE = 'Client not found';
export const PUBLIC_CLIENT_SECRET_MESSAGE = 'A public client has no secret';

/** Who calls the admin API, and from where: what the audit log records of a change. */
export interface ClientOperator {
  key: ApiKeyPrincipal;
  client: ClientInfo;
}

/** The admin API's clients: each change through OidcClientsService, with its audit entry in the same transaction (39). */
@Injectable()
export class AdminClientsService {
  constructor(
    private readonly clients: OidcClientsService,
    private readonly audit: AdminAudit,
  ) {}

  async list(): Promise<ClientDto[]> {
    return this.clients.list();
  }

  async get(clientId: string): Promise<ClientDto> {
    const client = await this.clients.get(clientId);
    if (!client) throw new NotFoundException(CLIENT_NOT_FOUND_MESSAGE);
    return client;
  }

  async create(dto: CreateClientDto, operator: ClientOperator): Promise<ClientWithSecretDto> {
    const { client, client_secret } = await this.clients.create(withDefaults(dto), this.audited(AdminAction.CreateClient, operator));
    return client_secret === null ? client : { ...client, client_secret };
  }

  async update(clientId: string, dto: UpdateClientDto, operator: ClientOperator): Promise<ClientWithSecretDto> {
    const { client, client_secret } = await this.mapped(() =>
      this.clients.update(clientId, dto, this.audited(AdminAction.UpdateClient, operator)),
    );
    return client_secret === null ? client : { ...client, client_secret };
  }

  async rotateSecret(clientId: string, operator: ClientOperator): Promise<ClientSecretDto> {
    const { client_secret } = await this.mapped(() =>
      this.clients.rotateSecret(clientId, this.audited(AdminAction.RotateClientSecret, operator)),
    );
    return { client_id: clientId, client_secret: client_secret! };
  }

  async delete(clientId: string, operator: ClientOperator): Promise<void> {
    if (!(await this.clients.delete(clientId, this.audited(AdminAction.DeleteClient, operator)))) {
      throw new NotFoundException(CLIENT_NOT_FOUND_MESSAGE);
    }
  }

  private audited(action: AdminAction, { key, client }: ClientOperator) {
    return (tx: EntityManager, clientId: string) =>
      this.audit.record(tx, { keyName: key.name, action, target: { clientId }, clientAddress: client.address });
  }

  private async mapped<T>(change: () => Promise<T>): Promise<T> {
    try {
      return await change();
    } catch (error) {
      if (error instanceof ClientNotFoundError) throw new NotFoundException(CLIENT_NOT_FOUND_MESSAGE);
      if (error instanceof ClientChangeError) throw new ConflictException(PUBLIC_CLIENT_SECRET_MESSAGE);
      throw error;
    }
  }
}
