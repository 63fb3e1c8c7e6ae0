import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import * as argon2 from 'argon2';
import { appConfig, type AppConfigType } from '../../config/app.config.js';
import { Metrics } from '../../metrics/metrics.js';

/** Unicode NFKC, so the same password typed on different keyboards is the same password. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

@Injectable()
export class PasswordHasher implements OnModuleInit {
  /** Verified against when there is no account, so that a miss costs what a hit costs. */
  private dummyHash = '';
  private readonly options: { type: typeof argon2.argon2id; memoryCost: number; timeCost: number; parallelism: number };

  constructor(
    @Inject(appConfig.KEY) config: AppConfigType,
    private readonly metrics: Metrics,
  ) {
    this.options = { type: argon2.argon2id, ...config.argon2 };
  }

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hash('one_auth dummy password, never matches');
  }

  hash(password: string): Promise<string> {
    return this.metrics.timeArgon2('hash', () => argon2.hash(normalizePassword(password), this.options));
  }

  /** Compares in constant time; a null hash still costs one verification. */
  async verify(hash: string | null, password: string): Promise<boolean> {
    try {
      const ok = await this.metrics.timeArgon2('verify', () => argon2.verify(hash ?? this.dummyHash, normalizePassword(password)));
      return ok && hash !== null;
    } catch {
      return false;
    }
  }

  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, this.options);
  }
}
