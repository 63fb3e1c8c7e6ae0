import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { type CborValue, encodeCbor } from './cbor.js';

/*
 * A WebAuthn authenticator and client in the test process: ES256 keys from
 * node:crypto, attestation `none` or `packed` (self attestation), client
 * data, authenticator data and signatures built byte by byte as a browser
 * and a platform authenticator would. Each option lets a test break one
 * thing the relying party must check.
 */

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const b64url = (data: Uint8Array) => Buffer.from(data).toString('base64url');

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

export interface StoredKey {
  credentialId: Buffer;
  privateKey: KeyObject;
  cosePublicKey: Buffer;
  rpId: string;
  userHandle: string;
  counter: number;
}

/** What the service's options give the client, as the JSON of 28 and 31. */
export interface CreationOptions {
  challenge: string;
  rp: { id: string; name: string };
  user: { id: string; name: string };
  excludeCredentials: { id: string }[];
}
export interface RequestOptions {
  challenge: string;
  rpId: string;
  allowCredentials: { id: string }[];
}

/** Ways a ceremony can go wrong, one at a time. */
export interface Tampering {
  origin?: string;
  /** The RP ID whose hash the authenticator data carries. */
  rpId?: string;
  /** No user-verification flag. */
  noUserVerification?: boolean;
  /** A challenge other than the options'. */
  challenge?: string;
}

export interface CreationTampering extends Tampering {
  /** Attest this existing credential again (its id and key) instead of making a new one. */
  again?: StoredKey;
}

export interface AssertionTampering extends Tampering {
  /** Sign something other than authenticatorData ‖ SHA-256(clientDataJSON). */
  signOtherData?: boolean;
  /** The counter value to report (instead of one more than the last). */
  counter?: number;
  /** The user handle to report. */
  userHandle?: string;
}

export class SoftwareAuthenticator {
  readonly keys: StoredKey[] = [];

  /**
   * @param origin where the "browser" runs
   * @param keepsCounter false: an authenticator that keeps no signature counter (always 0), as synced passkeys do
   */
  constructor(
    readonly origin: string,
    private readonly keepsCounter = true,
  ) {}

  /** navigator.credentials.create(): a new discoverable ES256 credential, as PublicKeyCredential.toJSON(). */
  create(options: CreationOptions, attestation: 'none' | 'packed' = 'none', tamper: CreationTampering = {}): Record<string, unknown> {
    const key = tamper.again ?? newKey(options);
    const { credentialId, privateKey, cosePublicKey } = key;
    const clientDataJSON = this.clientData('webauthn.create', tamper.challenge ?? options.challenge, tamper.origin);
    const attested = Buffer.concat([Buffer.alloc(16), u16(credentialId.length), credentialId, cosePublicKey]);
    const authData = this.authData(tamper.rpId ?? options.rp.id, FLAG_AT | flagsOf(tamper), 0, attested);
    const attStmt: CborValue =
      attestation === 'packed' ? { alg: -7, sig: sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), privateKey) } : {};
    const attestationObject = encodeCbor({ fmt: attestation, attStmt, authData });
    if (!tamper.again) this.keys.push(key);
    return {
      id: b64url(credentialId),
      rawId: b64url(credentialId),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ['internal', 'hybrid'],
      },
      clientExtensionResults: { credProps: { rk: true } },
      authenticatorAttachment: 'platform',
    };
  }

  /**
   * navigator.credentials.get(): an assertion by `key` (by default the
   * first credential for the RP that the options allow), as PublicKeyCredential.toJSON().
   */
  get(options: RequestOptions, key = this.pick(options), tamper: AssertionTampering = {}): Record<string, unknown> {
    if (this.keepsCounter) key.counter += 1;
    const counter = tamper.counter ?? (this.keepsCounter ? key.counter : 0);
    const clientDataJSON = this.clientData('webauthn.get', tamper.challenge ?? options.challenge, tamper.origin);
    const authenticatorData = this.authData(tamper.rpId ?? options.rpId, flagsOf(tamper), counter);
    const signed = tamper.signOtherData
      ? Buffer.concat([authenticatorData, sha256('something else')])
      : Buffer.concat([authenticatorData, sha256(clientDataJSON)]);
    return {
      id: b64url(key.credentialId),
      rawId: b64url(key.credentialId),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authenticatorData),
        signature: b64url(sign('sha256', signed, key.privateKey)),
        userHandle: tamper.userHandle ?? key.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  private pick(options: RequestOptions): StoredKey {
    const allowed = new Set(options.allowCredentials.map((credential) => credential.id));
    const key = this.keys.find(
      (candidate) => candidate.rpId === options.rpId && (allowed.size === 0 || allowed.has(b64url(candidate.credentialId))),
    );
    if (!key) throw new Error('no credential for these options');
    return key;
  }

  private clientData(type: string, challenge: string, origin = this.origin): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
  }

  private authData(rpId: string, flags: number, counter: number, attested = Buffer.alloc(0)): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, attested]);
  }
}

function newKey(options: CreationOptions): StoredKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const cosePublicKey = encodeCbor(
    new Map<number, number | Buffer>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
  );
  return { credentialId: randomBytes(32), privateKey, cosePublicKey, rpId: options.rp.id, userHandle: options.user.id, counter: 0 };
}

/** User present always; verified unless told otherwise; a synced passkey (backup eligible and backed up). */
function flagsOf(tamper: Tampering): number {
  return FLAG_UP | (tamper.noUserVerification ? 0 : FLAG_UV) | FLAG_BE | FLAG_BS;
}

function u16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16BE(value);
  return bytes;
}
