import { Injectable } from '@nestjs/common';
import type { TokenPrincipal } from '../auth/access-tokens.service.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { toUserProfile } from '../users/dto/user-profile.dto.js';
import { UserEntity } from '../users/user.entity.js';
import type { ProfileWithTokenDto, UpdateProfileDto } from './dto/update-profile.dto.js';

@Injectable()
export class ProfileService {
  constructor(private readonly transactions: TransactionRunner) {}

  /** Writes only the fields the client sent; answers the whole profile and the request's token. */
  async update({ user, accessToken }: TokenPrincipal, dto: UpdateProfileDto): Promise<ProfileWithTokenDto> {
    const changes: Partial<Pick<UserEntity, 'firstName' | 'lastName' | 'country' | 'department' | 'avatar' | 'updatedAt'>> = {};
    if (dto.first_name !== undefined) changes.firstName = dto.first_name;
    if (dto.last_name !== undefined) changes.lastName = dto.last_name;
    if (dto.country !== undefined) changes.country = dto.country;
    if (dto.department !== undefined) changes.department = dto.department;
    if (dto.avatar !== undefined) changes.avatar = dto.avatar;
    if (Object.keys(changes).length > 0) {
      changes.updatedAt = Date.now();
      await this.transactions.run((tx) => tx.update(UserEntity, { id: user.id }, changes));
    }
    // Field order of the original API: the profile, then the token, then the email.
    const { email, ...profile } = toUserProfile({ ...user, ...changes });
    return { ...profile, access_token: accessToken, email };
  }
}
