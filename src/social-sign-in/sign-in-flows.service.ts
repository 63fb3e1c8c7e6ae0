import { hash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { randomNonce, randomPKCECodeVerifier, randomState } from 'openid-client';
import { type EntityManager, MoreThan } from 'typeorm';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { CausalReads } from '../database/causal-reads.js';
import { type PruneCutoffs, type PruneTask, ruleTask } from '../database/pruning.js';
import { TransactionRunner } from '../database/transaction-runner.js';
import { PayloadCipher } from '../mail/payload-cipher.js';
import type { ErasedAccount, ErasesAccountData } from '../users/account-data.js';
import { SocialSignInEntity } from './social-sign-in.entity.js';
import type { FlowSecrets } from './upstream.js';

/** How long a person may take at the provider, from the redirect to the callback. */
export const FLOW_TTL_MS = 10 * 60_000;
const STATE = /^[A-Za-z0-9_-]{20,128}$/;

/** A flow as its callback finds it. */
export interface SignInFlow {
  providerRowId: number;
  /** For a link started while signed in: the account; null for a sign-in. */
  userId: number | null;
  returnTo: string;
  /** The app's own `state`, given back with the answer; null when it sent none. */
  appState: string | null;
  /** For a sign-in started on the login pages (49): their interaction, which takes the answer; null otherwise. */
  interaction: string | null;
  secrets: FlowSecrets;
}

interface Sealed {
  state_hash: string;
  verifier: string;
  nonce: string;
  app_state: string | null;
  /** Absent in flows started before the login pages could start one. */
  interaction?: string | null;
}

const hashState = (state: string) => hash('sha256', state, 'hex');

/**
 * The only code that writes `social_sign_ins`: sign-ins under way, in the
 * database so that the callback may land on any instance. The state is kept
 * as its hash; the PKCE verifier and nonce sealed (a key derived from
 * SECRET), bound to that hash. A flow is used once: the callback's DELETE
 * decides, so of two callbacks with one state (a replay) one goes on.
 */
@Injectable()
export class SignInFlows implements ErasesAccountData {
  private readonly cipher: PayloadCipher;

  constructor(
    @Inject(appConfig.KEY) config: AppConfigType,
    private readonly transactions: TransactionRunner,
    private readonly causal: CausalReads,
  ) {
    this.cipher = new PayloadCipher(config.secret, 'sign-in flow');
  }

  /** A new flow: its secrets, to put in the redirect to the provider. */
  async start(flow: Omit<SignInFlow, 'secrets'>): Promise<FlowSecrets> {
    const secrets: FlowSecrets = { state: randomState(), nonce: randomNonce(), verifier: randomPKCECodeVerifier() };
    const stateHash = hashState(secrets.state);
    const sealed: Sealed = {
      state_hash: stateHash,
      verifier: secrets.verifier,
      nonce: secrets.nonce,
      app_state: flow.appState,
      interaction: flow.interaction,
    };
    await this.transactions.run((tx) =>
      tx.insert(SocialSignInEntity, {
        stateHash,
        providerId: flow.providerRowId,
        userId: flow.userId,
        returnTo: flow.returnTo,
        sealed: this.cipher.seal(sealed),
        expiresAt: Date.now() + FLOW_TTL_MS,
      }),
    );
    return secrets;
  }

  /**
   * Takes the flow of a `state` for its callback, once: null when the state
   * is unknown, used, expired, or its provider removed meanwhile.
   */
  async take(state: string): Promise<SignInFlow | null> {
    if (!STATE.test(state)) return null;
    const stateHash = hashState(state);
    const [row] = await this.causal.query<{
      id: number | string;
      provider_id: number | string;
      user_id: number | string | null;
      return_to: string;
      sealed: string;
    }>('SELECT id, provider_id, user_id, return_to, sealed FROM social_sign_ins WHERE state_hash = ? AND expires_at > ?', [
      stateHash,
      Date.now(),
    ]);
    if (!row) return null;
    const taken = await this.transactions.run((tx) =>
      tx.delete(SocialSignInEntity, { id: Number(row.id), stateHash, expiresAt: MoreThan(Date.now()) }),
    );
    if (taken.affected !== 1) return null;
    const sealed = this.cipher.open<Sealed>(row.sealed);
    if (sealed.state_hash !== stateHash) return null;
    return {
      providerRowId: Number(row.provider_id),
      userId: row.user_id === null ? null : Number(row.user_id),
      returnTo: row.return_to,
      appState: sealed.app_state,
      interaction: sealed.interaction ?? null,
      secrets: { state, nonce: sealed.nonce, verifier: sealed.verifier },
    };
  }

  /** Links under way to the account, inside the erasing transaction. */
  async eraseAccount(tx: EntityManager, { userId }: ErasedAccount): Promise<void> {
    await tx.delete(SocialSignInEntity, { userId });
  }

  pruneTasks(cutoffs: PruneCutoffs): PruneTask[] {
    return [ruleTask('signInFlows', this.transactions, SocialSignInEntity, 'social_sign_ins.expires_at <= :now', { now: cutoffs.now })];
  }
}
