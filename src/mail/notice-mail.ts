import type { ClientInfo } from '../http/client-info.js';
import type { MailContent } from './mail-message.js';

export const NOTICE_MAIL_PURPOSE = 'security_notice';
export const GOODBYE_MAIL_PURPOSE = 'account_deleted';

export type NoticeKind =
  | 'password_changed'
  | 'password_reset'
  | 'email_changed'
  | 'account_deleted'
  | 'second_factor_removed'
  | 'passkey_added'
  | 'second_factor_enabled'
  | 'second_factor_disabled'
  | 'recovery_code_used'
  | 'password_set'
  | 'identity_linked'
  | 'identity_unlinked';

export interface NoticeDetails {
  /** The account's address when it happened (for an email change, the old one). */
  email: string;
  at: number;
  client: ClientInfo;
  /** For an email change: the address the account moved to. */
  newEmail?: string;
  /** For a passkey added: the name its owner gave it. */
  passkeyName?: string;
  /** For an identity linked or unlinked: the provider's name, as people see it. */
  providerName?: string;
}

const RECOVER =
  'reset your password at once: ask for a code to be mailed to your address (POST /one_auth/api/validation_code), ' +
  'set a new password with it, then sign out the sessions you do not recognise (DELETE /one_auth/api/sessions/{id}).';

const TEXTS: Record<NoticeKind, (details: NoticeDetails) => { subject: string; happened: string; ifNotYou: string }> = {
  password_changed: ({ email }) => ({
    subject: 'Your one_auth password was changed',
    happened: `The password of your one_auth account ${email} was changed. Every other session was signed out.`,
    ifNotYou: `someone knows your password or holds a signed-in device: ${RECOVER}`,
  }),
  password_set: ({ email }) => ({
    subject: 'A password was set for your one_auth account',
    happened: `Your one_auth account ${email}, which had no password, now has one: it signs in with it as well. Other sessions were signed out.`,
    ifNotYou: `someone holds a signed-in device or can read mail sent to this address: ${RECOVER}`,
  }),
  identity_linked: ({ email, providerName }) => ({
    subject: `Sign-in with ${providerName ?? 'another provider'} was linked to your one_auth account`,
    happened:
      `Your ${providerName ?? ''} account was linked to your one_auth account ${email}: ` +
      `"Continue with ${providerName ?? ''}" signs in to it from now on, without a password.`,
    ifNotYou:
      'someone else can sign in to that provider with your address or holds a signed-in device: remove the link ' +
      '(GET /one_auth/api/user/identities, then DELETE /one_auth/api/user/identities/{id}), ' +
      `sign out the sessions you do not recognise (DELETE /one_auth/api/sessions/{id}), then ${RECOVER}`,
  }),
  identity_unlinked: ({ email, providerName }) => ({
    subject: `Sign-in with ${providerName ?? 'another provider'} was removed from your one_auth account`,
    happened: `Your ${providerName ?? ''} account no longer signs in to your one_auth account ${email}.`,
    ifNotYou: `someone holds a signed-in device: sign out the sessions you do not recognise (DELETE /one_auth/api/sessions/{id}), then ${RECOVER}`,
  }),
  password_reset: ({ email }) => ({
    subject: 'Your one_auth password was reset',
    happened: `The password of your one_auth account ${email} was reset with a code mailed to this address. Every session was signed out.`,
    ifNotYou: `someone can read mail sent to this address: secure your mailbox first, then ${RECOVER}`,
  }),
  email_changed: ({ email, newEmail }) => ({
    subject: 'The email of your one_auth account was changed',
    happened: `Your one_auth account ${email} now signs in with the address ${newEmail ?? ''}. Mail about it goes there from now on.`,
    ifNotYou:
      'someone knows your password or holds a signed-in device, and has moved your account away from this address. ' +
      'Contact the operator of this service with this message; the account can no longer be recovered from this address.',
  }),
  second_factor_removed: ({ email }) => ({
    subject: 'The second factor of your one_auth account was removed',
    happened:
      `The operator of this service removed the second factor of your one_auth account ${email} ` +
      '(the authenticator app and its recovery codes; passkeys were kept). Every session was signed out; ' +
      'your password alone signs you in until you set up an authenticator app again.',
    ifNotYou: 'contact the operator of this service with this message, and set up an authenticator app again once signed in.',
  }),
  passkey_added: ({ email, passkeyName }) => ({
    subject: 'A passkey was added to your one_auth account',
    happened: `A passkey named "${passkeyName ?? ''}" was added to your one_auth account ${email}. It signs in without a password.`,
    ifNotYou:
      'someone holds a signed-in device: remove that passkey (DELETE /one_auth/api/passkeys/{id}), ' +
      `sign out the sessions you do not recognise (DELETE /one_auth/api/sessions/{id}), then ${RECOVER}`,
  }),
  second_factor_enabled: ({ email }) => ({
    subject: 'Two-step login is on for your one_auth account',
    happened:
      `Two-step login was turned on for your one_auth account ${email}: signing in now takes a code from an authenticator app ` +
      'after the password. Every other session was signed out.',
    ifNotYou:
      'someone knows your password or holds a signed-in device, and has tied your account to their authenticator app. ' +
      `Contact the operator of this service with this message; meanwhile ${RECOVER}`,
  }),
  second_factor_disabled: ({ email }) => ({
    subject: 'Two-step login is off for your one_auth account',
    happened: `Two-step login was turned off for your one_auth account ${email}: the password alone signs in again. Its recovery codes no longer work.`,
    ifNotYou: `someone knows your password and holds your authenticator app or a recovery code: ${RECOVER} Then turn two-step login on again.`,
  }),
  recovery_code_used: ({ email }) => ({
    subject: 'A recovery code of your one_auth account was used',
    happened: `One of the recovery codes of your one_auth account ${email} was used in place of a code from the authenticator app. It cannot be used again.`,
    ifNotYou:
      `someone knows your password and has one of your recovery codes: ${RECOVER} ` +
      'Then make a new set of recovery codes (POST /one_auth/api/user/recovery_codes), which voids the old one.',
  }),
  account_deleted: ({ email }) => ({
    subject: 'Your one_auth account was deleted',
    happened:
      `Your one_auth account ${email} was deleted, with its profile, images and sessions. ` +
      'This is the last message about it; the address can be used to register again.',
    ifNotYou:
      'someone knew your password. The account cannot be restored; register again with this address, ' +
      'and change that password wherever else you use it.',
  }),
};

/**
 * A plain-text security notice: what happened, when, from which client, and
 * what to do if it was not the owner. It never carries a secret.
 */
export function buildNoticeMail(kind: NoticeKind, details: NoticeDetails): MailContent {
  const { subject, happened, ifNotYou } = TEXTS[kind](details);
  const from = details.client.userAgent ? `${details.client.address} ("${details.client.userAgent}")` : details.client.address;
  return {
    subject,
    text: [
      happened,
      '',
      `When: ${new Date(details.at)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')}`,
      `From: ${from}`,
      '',
      'If this was you, there is nothing to do.',
      `If it was not you, ${ifNotYou}`,
      '',
    ].join('\n'),
  };
}
