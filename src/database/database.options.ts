import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { AdminAuditEntryEntity } from '../admin-audit/admin-audit-entry.entity.js';
import { ApiKeyEntity } from '../api-keys/api-key.entity.js';
import { OperatorsMysql1766200000000 } from './migrations/mysql/1766200000000-operators.js';
import { OperatorsSqlite1766200000000 } from './migrations/sqlite/1766200000000-operators.js';
import { AccessTokenEntity } from '../auth/access-token.entity.js';
import type { AppConfig } from '../config/app-config.js';
import { DB_WAIT_MS } from './conflict-retry.js';
import { ImageEntity } from '../images/image.entity.js';
import { OutboxMessageEntity } from '../mail/outbox-message.entity.js';
import { ProfileEntity } from '../profile/profile.entity.js';
import { RateBucketEntity } from '../rate-limit/rate-bucket.entity.js';
import { RateEventEntity } from '../rate-limit/rate-event.entity.js';
import { SecurityEventEntity } from '../security-events/security-event.entity.js';
import { UserEntity } from '../users/user.entity.js';
import { ValidationCodeEntity } from '../codes/validation-code.entity.js';
import { WebhookDeliveryEntity } from '../webhooks/webhook-delivery.entity.js';
import { PendingLoginEntity } from '../second-factor/pending-login.entity.js';
import { RecoveryCodeEntity } from '../second-factor/recovery-code.entity.js';
import { TotpFactorEntity } from '../second-factor/totp-factor.entity.js';
import { InitialSchemaMysql1764000000000 } from './migrations/mysql/1764000000000-initial-schema.js';
import { RateEventsMysql1764100000000 } from './migrations/mysql/1764100000000-rate-events.js';
import { UserProfilesMysql1764200000000 } from './migrations/mysql/1764200000000-user-profiles.js';
import { AccountLifecycleMysql1764300000000 } from './migrations/mysql/1764300000000-account-lifecycle.js';
import { WebhookDeliveriesMysql1764350000000 } from './migrations/mysql/1764350000000-webhook-deliveries.js';
import { ClusterSafeWritesMysql1764400000000 } from './migrations/mysql/1764400000000-cluster-safe-writes.js';
import { OutboxMessageIdsMysql1764500000000 } from './migrations/mysql/1764500000000-outbox-message-ids.js';
import { SecondFactorMysql1766000000000 } from './migrations/mysql/1766000000000-second-factor.js';
import { InitialSchemaSqlite1764000000000 } from './migrations/sqlite/1764000000000-initial-schema.js';
import { RateEventsSqlite1764100000000 } from './migrations/sqlite/1764100000000-rate-events.js';
import { UserProfilesSqlite1764200000000 } from './migrations/sqlite/1764200000000-user-profiles.js';
import { AccountLifecycleSqlite1764300000000 } from './migrations/sqlite/1764300000000-account-lifecycle.js';
import { WebhookDeliveriesSqlite1764350000000 } from './migrations/sqlite/1764350000000-webhook-deliveries.js';
import { ClusterSafeWritesSqlite1764400000000 } from './migrations/sqlite/1764400000000-cluster-safe-writes.js';
import { OutboxMessageIdsSqlite1764500000000 } from './migrations/sqlite/1764500000000-outbox-message-ids.js';
import { SecondFactorSqlite1766000000000 } from './migrations/sqlite/1766000000000-second-factor.js';
import { RandomIdsWithoutDefault1765000000000 } from './migrations/any/1765000000000-random-ids-without-default.js';
import { WebhookDeliveryClaims1765100000000 } from './migrations/any/1765100000000-webhook-delivery-claims.js';
import { PasskeysMysql1766100000000 } from './migrations/mysql/1766100000000-passkeys.js';
import { PasskeysSqlite1766100000000 } from './migrations/sqlite/1766100000000-passkeys.js';
import { PasskeyChallengeEntity } from '../passkeys/passkey-challenge.entity.js';
import { PasskeyEntity } from '../passkeys/passkey.entity.js';
import { SignInWithProvidersMysql1768000000000 } from './migrations/mysql/1768000000000-sign-in-with-providers.js';
import { SignInWithProvidersSqlite1768000000000 } from './migrations/sqlite/1768000000000-sign-in-with-providers.js';
import { SignInProviderEntity } from '../sign-in-providers/sign-in-provider.entity.js';
import { IdentityEntity } from '../identities/identity.entity.js';
import { SocialSignInEntity } from '../social-sign-in/social-sign-in.entity.js';
import { LoginCodeEntity } from '../social-sign-in/login-code.entity.js';
import { OpenIdProviderMysql1769000000000 } from './migrations/mysql/1769000000000-openid-provider.js';
import { OpenIdProviderSqlite1769000000000 } from './migrations/sqlite/1769000000000-openid-provider.js';
import { OidcClientEntity } from '../oidc-clients/oidc-client.entity.js';
import { LogoutDeliveryEntity } from '../oidc/logout-delivery.entity.js';
import { OidcRecordEntity } from '../oidc/oidc-record.entity.js';
import { SigningKeyEntity } from '../oidc/signing-key.entity.js';

export const ENTITIES = [
  UserEntity,
  ProfileEntity,
  ValidationCodeEntity,
  AccessTokenEntity,
  OutboxMessageEntity,
  ImageEntity,
  RateEventEntity,
  SecurityEventEntity,
  WebhookDeliveryEntity,
  RateBucketEntity,
  ApiKeyEntity,
  AdminAuditEntryEntity,
  PasskeyEntity,
  PasskeyChallengeEntity,
  TotpFactorEntity,
  RecoveryCodeEntity,
  PendingLoginEntity,
  SignInProviderEntity,
  IdentityEntity,
  SocialSignInEntity,
  LoginCodeEntity,
  OidcRecordEntity,
  SigningKeyEntity,
  LogoutDeliveryEntity,
  OidcClientEntity,
];

/** Written once with TypeORM's schema API, for every dialect (migrations/any). */
const ANY_DIALECT = [RandomIdsWithoutDefault1765000000000, WebhookDeliveryClaims1765100000000];

// Classes, not globs: globs are loaded with Node's own import(), which the
// test runner cannot see into. One list per dialect, in order.
export const MIGRATIONS = {
  sqlite: [
    InitialSchemaSqlite1764000000000,
    RateEventsSqlite1764100000000,
    UserProfilesSqlite1764200000000,
    AccountLifecycleSqlite1764300000000,
    WebhookDeliveriesSqlite1764350000000,
    ClusterSafeWritesSqlite1764400000000,
    OutboxMessageIdsSqlite1764500000000,
    ...ANY_DIALECT,
    SecondFactorSqlite1766000000000,
    PasskeysSqlite1766100000000,
    OperatorsSqlite1766200000000,
    SignInWithProvidersSqlite1768000000000,
    OpenIdProviderSqlite1769000000000,
  ],
  mysql: [
    InitialSchemaMysql1764000000000,
    RateEventsMysql1764100000000,
    UserProfilesMysql1764200000000,
    AccountLifecycleMysql1764300000000,
    WebhookDeliveriesMysql1764350000000,
    ClusterSafeWritesMysql1764400000000,
    OutboxMessageIdsMysql1764500000000,
    ...ANY_DIALECT,
    SecondFactorMysql1766000000000,
    PasskeysMysql1766100000000,
    OperatorsMysql1766200000000,
    SignInWithProvidersMysql1768000000000,
    OpenIdProviderMysql1769000000000,
  ],
};

/** One set of options for the app and the TypeORM CLI. The schema only ever changes by migration. */
export function buildDataSourceOptions(config: Pick<AppConfig, 'database'>): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    synchronize: false,
    migrationsTableName: 'migrations',
    logging: false,
  } as const;
  const { database } = config;
  if (database.type === 'sqlite') {
    if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: database.path,
      migrations: MIGRATIONS.sqlite,
      enableWAL: true,
      timeout: DB_WAIT_MS,
      prepareDatabase: (db: { pragma(source: string): unknown }) => {
        db.pragma('foreign_keys = ON');
        db.pragma('synchronous = NORMAL');
        // Deleted rows are overwritten, not just unlinked: an erased account leaves no bytes in the file.
        db.pragma('secure_delete = ON');
      },
    };
  }
  return {
    ...common,
    type: 'mysql',
    url: database.url,
    migrations: MIGRATIONS.mysql,
    charset: 'utf8mb4_bin',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    connectTimeout: DB_WAIT_MS,
    extra: { connectionLimit: 10, waitForConnections: true, queueLimit: 500, enableKeepAlive: true },
  };
}
