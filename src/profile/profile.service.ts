import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, type EntityManager, In, Not, type Repository } from 'typeorm';
import type { TokenPrincipal } from '../auth/access-tokens.service.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import type { ErasedAccount, ErasesAccountData, ExportsAccountData } from '../users/account-data.js';
import type { ExportedProfileDto } from './dto/exported-profile.dto.js';
import type { ProfileWithTokenDto, UpdateProfileDto } from './dto/update-profile.dto.js';
import { toUserProfile } from './dto/user-profile.dto.js';
import { ProfileEntity } from './profile.entity.js';
import { EMPTY_PROFILE, type ProfileFields } from './profile-fields.js';

/** The only code that writes `user_profiles`, and its only reader but the token check's one query. */
@Injectable()
export class ProfileService implements ErasesAccountData, ExportsAccountData<{ profile: ExportedProfileDto }> {
  constructor(
    @InjectRepository(ProfileEntity) private readonly profiles: Repository<ProfileEntity>,
    private readonly transactions: TransactionRunner,
  ) {}

  /** The account's profile; all fields "" when it never wrote one. Pass a transaction's manager to read inside it. */
  async read(userId: number, manager?: EntityManager): Promise<ProfileFields> {
    const row = await (manager ?? this.profiles.manager).findOneBy(ProfileEntity, { userId });
    if (!row) return { ...EMPTY_PROFILE };
    const { firstName, lastName, country, department, avatar } = row;
    return { firstName, lastName, country, department, avatar };
  }

  /** The avatars of those of these accounts that set one, by account: a read by primary key. */
  async avatarsOf(userIds: number[]): Promise<Map<number, string>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.profiles.find({ select: { userId: true, avatar: true }, where: { userId: In(userIds), avatar: Not('') } });
    return new Map(rows.map((row) => [row.userId, row.avatar]));
  }

  /**
   * Those of these image names that some profile's avatar points to. The
   * URL may carry any host (PUBLIC_URL can change): the server-made name,
   * which is unique, is what is matched. Every profile is read (a scan):
   * for the few images that look unused, not for every image. Pass a
   * transaction's manager to read inside it.
   */
  async avatarsPointingTo(imageNames: string[], manager?: EntityManager): Promise<Set<string>> {
    if (imageNames.length === 0) return new Set();
    const anyName = new Brackets((where) =>
      imageNames.forEach((name, i) => where.orWhere(`p.avatar LIKE :name${i}`, { [`name${i}`]: `%${name}%` })),
    );
    const rows = await (manager ?? this.profiles.manager)
      .createQueryBuilder(ProfileEntity, 'p')
      .select('p.avatar', 'avatar')
      .where(anyName)
      .getRawMany<{ avatar: string }>();
    // LIKE narrows the rows; the names are matched as plain text here.
    return new Set(imageNames.filter((name) => rows.some(({ avatar }) => avatar.includes(name))));
  }

  /** Writes only the fields the client sent; answers the whole profile and the request's token. */
  async update({ user, accessToken }: TokenPrincipal, dto: UpdateProfileDto): Promise<ProfileWithTokenDto> {
    const changes: Partial<ProfileFields> = {};
    if (dto.first_name !== undefined) changes.firstName = dto.first_name;
    if (dto.last_name !== undefined) changes.lastName = dto.last_name;
    if (dto.country !== undefined) changes.country = dto.country;
    if (dto.department !== undefined) changes.department = dto.department;
    if (dto.avatar !== undefined) changes.avatar = dto.avatar;
    if (Object.keys(changes).length > 0) {
      // The first write creates the row (omitted fields take their "" default);
      // later ones change only the columns named here.
      const row = { userId: user.id, ...changes, updatedAt: Date.now() };
      await this.transactions.run((tx) => tx.upsert(ProfileEntity, row, { conflictPaths: ['userId'], skipUpdateIfNoValuesChanged: false }));
    }
    // Field order of the original API: the profile, then the token, then the email.
    const { email, ...profile } = toUserProfile(user.email, { ...user, ...changes });
    return { ...profile, access_token: accessToken, email };
  }

  async eraseAccount(tx: EntityManager, { userId }: ErasedAccount): Promise<void> {
    await tx.delete(ProfileEntity, { userId });
  }

  async exportAccount(tx: EntityManager, { userId }: { userId: number }): Promise<{ profile: ExportedProfileDto }> {
    const { email: _email, ...profile } = toUserProfile('', await this.read(userId, tx));
    return { profile };
  }
}
