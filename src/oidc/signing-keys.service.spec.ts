import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { DataSource, type EntityManager } from 'typeorm';
import type { AppConfigType } from '../config/app.config.js';
import type { CausalReads } from '../database/causal-reads.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { SIGNING_ALGS } from './key-set.js';
import { SigningKeyEntity } from './signing-key.entity.js';
import { SigningKeys } from './signing-keys.service.js';

const config = { secret: 'signing-keys-spec-secret-0123456789abcdef' } as AppConfigType;

/** A runner that lets another instance commit its keys just before our first write. */
class RunnerWithRival extends TransactionRunner {
  rival: (() => Promise<unknown>) | null = null;

  override async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const rival = this.rival;
    this.rival = null;
    if (rival) await rival();
    return super.run(work);
  }
}

describe('signing keys made at a first start', () => {
  it('an instance that lost the race signs with the keys the winner made, though the winner started later', async () => {
    const dataSource = await new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [SigningKeyEntity],
      synchronize: true,
    }).initialize();
    try {
      const repository = dataSource.getRepository(SigningKeyEntity);
      const runner = new RunnerWithRival(dataSource, {} as CausalReads);
      const ours = new SigningKeys(repository, config, runner);
      const theirs = new SigningKeys(repository, config, new TransactionRunner(dataSource, {} as CausalReads));
      const startedAt = Date.now();
      // The winner began 50 ms after us and commits between our read of the (empty) table and our insert.
      runner.rival = () => theirs.current(startedAt + 50);

      const set = await ours.current(startedAt);

      const stored = await repository.find();
      expect(stored).toHaveLength(SIGNING_ALGS.length);
      expect(stored.every((key) => key.generation === 1 && key.activatesAt === startedAt + 50)).toBe(true);
      for (const alg of SIGNING_ALGS) expect(set.signing[alg]).toBe(stored.find((key) => key.alg === alg)!.kid);
    } finally {
      await dataSource.destroy();
    }
  });
});
