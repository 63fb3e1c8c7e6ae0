import { createHmac } from 'node:crypto';

/*
 * What the service reads of a WebAuthn response before the verifier sees
 * it: which challenge it answers (to spend that challenge first) and which
 * credential it names (to find its owner). Whatever the client sent, these
 * answer a string or null, never throw.
 */

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Longer than any real credential id (1023 bytes) or client data: refused unread. */
const MAX_CREDENTIAL_ID_LENGTH = 1400;
const MAX_CLIENT_DATA_LENGTH = 8192;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The challenge the client data of a response carries (base64url, as the options gave it). */
export function challengeOf(response: unknown): string | null {
  const clientDataJSON = isRecord(response) && isRecord(response.response) ? response.response.clientDataJSON : undefined;
  if (typeof clientDataJSON !== 'string' || clientDataJSON.length > MAX_CLIENT_DATA_LENGTH || !BASE64URL.test(clientDataJSON)) return null;
  try {
    const clientData: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    const challenge = isRecord(clientData) ? clientData.challenge : undefined;
    return typeof challenge === 'string' && challenge.length <= 128 && BASE64URL.test(challenge) ? challenge : null;
  } catch {
    return null;
  }
}

/** The credential id a response names (its `id`, which must be its `rawId` too). */
export function credentialIdOf(response: unknown): string | null {
  if (!isRecord(response)) return null;
  const { id, rawId } = response;
  if (typeof id !== 'string' || id !== rawId || id.length > MAX_CREDENTIAL_ID_LENGTH || !BASE64URL.test(id)) return null;
  return id;
}

/** The user handle an assertion carries, when the authenticator sent one. */
export function userHandleOf(response: unknown): string | null {
  const handle = isRecord(response) && isRecord(response.response) ? response.response.userHandle : undefined;
  return typeof handle === 'string' && handle !== '' ? handle : null;
}

/**
 * The WebAuthn user id of an account: derived from it with the service's
 * secret, so it names no one (no email, no row id) and needs no storage.
 */
export function accountUserHandle(secret: string, userId: number): string {
  return createHmac('sha256', secret).update(`passkey-user:${userId}`).digest('base64url');
}
