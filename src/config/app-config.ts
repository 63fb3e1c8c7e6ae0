/** The validated, typed configuration the whole service runs on. */
export interface AppConfig {
  nodeEnv: string;
  port: number;
  host: string;
  publicUrl: string;
  database: DatabaseConfig;
  smtpUrl: string | undefined;
  mailFrom: string;
  /**
   * How long a mail worker's claim keeps other workers off a message it is
   * sending: the mail claimed by an instance that died goes out this long
   * after the claim. Each attempt is cut off before its claim lapses.
   */
  mailClaimMs: number;
  dataDir: string;
  secret: string;
  tokenTtlMs: number;
  tokenIdleTtlMs: number;
  codeTtlMs: number;
  /** How long security events are kept (SECURITY_EVENT_RETENTION). */
  securityEventRetentionMs: number;
  /** How long the operators' audit log keeps an entry (ADMIN_AUDIT_RETENTION). */
  adminAuditRetentionMs: number;
  maxImageBytes: number;
  maxImagePixels: number;
  maxJsonBytes: number;
  imageStorage: ImageStorageConfig;
  argon2: Argon2Config;
  limits: LimitsConfig;
  webhooks: WebhooksConfig;
  /** Live tokens one account may hold; a login past it revokes the least recently used. */
  maxTokensPerAccount: number;
  /** An account never activated is removed this long after its last code. */
  inactiveAccountTtlMs: number;
  housekeeping: HousekeepingConfig;
  /** Express's `trust proxy` value: false, a hop count, or a list of addresses/subnets. */
  trustProxy: boolean | number | string[];
  logLevel: LogLevelName;
  /** One JSON object per line, or human-readable lines for a terminal. */
  logFormat: 'json' | 'pretty';
  /** Bearer token that /one_auth/metrics requires; open when unset. */
  metricsToken: string | undefined;
  /** The issuer authenticator apps show for the account's TOTP entry (TOTP_ISSUER). */
  totpIssuer: string;
  passkeys: PasskeysConfig;
  /** SOCIAL_RETURN_URLS: where a sign-in with another provider may send the browser back to, exactly. */
  socialReturnUrls: string[];
  oidc: OidcConfig;
}

/** The OpenID Provider (OIDC_*): where it is, and how long what it issues lives. */
export interface OidcConfig {
  /** OIDC_ISSUER, without a trailing slash: what tokens carry as `iss`. */
  issuer: string;
  /** The issuer's path, where this service mounts the provider (e.g. /one_auth/oidc). */
  mountPath: string;
  /** OIDC_ACCESS_TOKEN_TTL. */
  accessTokenTtlMs: number;
  /** OIDC_REFRESH_TOKEN_TTL: how long a chain of rotated refresh tokens lasts from the sign-in that began it. */
  refreshTokenTtlMs: number;
  /** TOKEN_IDLE_TTL: a refresh token unused this long is dead. */
  refreshTokenIdleTtlMs: number;
  /** OIDC_SESSION_TTL: the browser session at the provider. */
  sessionTtlMs: number;
}

/** The WebAuthn relying party passkeys are made for and used with. */
export interface PasskeysConfig {
  /** PASSKEY_RP_ID: the domain passkeys are bound to. */
  rpId: string;
  /** PASSKEY_ORIGINS: where ceremonies may come from (web origins and app origins). */
  origins: string[];
  /** PASSKEY_RP_NAME: shown by authenticators. */
  rpName: string;
}

/** Where image bytes live: `$DATA_DIR/images`, or a bucket of an S3-compatible store. */
export type ImageStorageConfig =
  { type: 'local' } | { type: 's3'; bucket: string; endpoint: string | undefined; region: string; forcePathStyle: boolean };
export type LogLevelName = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'verbose';

export type DatabaseConfig = { type: 'sqlite'; path: string } | { type: 'mysql'; url: string };

/** argon2id cost parameters; hashes made with others are upgraded at the next login. */
export interface Argon2Config {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** The scheduled pruning of rows (and image files) that no longer serve a purpose. */
export interface HousekeepingConfig {
  /** Time between two sweeps of one instance. */
  intervalMs: number;
  /** An uploaded image no profile points to is kept this long after its upload. */
  imageGraceMs: number;
  /** Mail that could not be delivered is kept this long, for the operator to look into. */
  failedMailTtlMs: number;
  /** A webhook delivery that is done (delivered or given up) is kept this long after it was queued. */
  finishedWebhookTtlMs: number;
}

/** At most `max` events per sliding `windowMs`. */
export interface LimitRule {
  max: number;
  windowMs: number;
}

export interface LimitsConfig {
  loginFailuresPerAccountAndAddress: LimitRule;
  loginFailuresPerAccount: LimitRule;
  loginFailuresPerAddress: LimitRule;
  codeFailuresPerAccount: LimitRule;
  codeMailsPerEmail: LimitRule;
  codeMailsPerAddress: LimitRule;
  /** A repeat within this keeps the live code and sends nothing. */
  codeResendIntervalMs: number;
}

/** Where account events are POSTed; off when `urls` is empty. */
export interface WebhooksConfig {
  urls: string[];
  /** The Standard Webhooks signing secret, `whsec_<base64>`; set whenever `urls` is. */
  secret: string | undefined;
  /** The longest wait between two tries of one delivery. */
  maxRetryIntervalMs: number;
  /** How long a delivery is retried, from its first try, before it is given up. */
  retryForMs: number;
}
