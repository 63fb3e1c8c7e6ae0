/**
 * Every password, code and token a test file used, gathered where they pass:
 * request bodies and credentials, answers, and the mails the SMTP sink got.
 * Searched for in the service's output at the end of the file.
 */
const secrets = new Set<string>();

const SECRET_FIELDS = new Set([
  'password',
  'new_password',
  'validation_code',
  'access_token',
  'token',
  // Second factor: codes (TOTP or recovery), the login's mfa_token, the TOTP secret and its Key URI, recovery codes.
  'code',
  'mfa_token',
  'secret',
  'otpauth_uri',
  'recovery_codes',
  // Operators' API keys; passkey ceremonies' challenges.
  'key',
  'challenge',
  // Sign-in with another provider: a provider's client secret, the login code handed to the app.
  'client_secret',
  'login_code',
]);
const CODE = /^\d{6}$/;

export function noteSecret(value: unknown): void {
  if (typeof value !== 'string') return;
  // Codes are six digits. Other values shorter than 8 characters, or a
  // single lower-case word (a refused "password"), are ordinary text that
  // turns up in any log (route names, numbers): searching for them proves nothing.
  if (CODE.test(value) || (value.length >= 8 && !/^[a-z]+$/.test(value))) secrets.add(value);
}

/** The secret fields of a JSON body, down to a depth no real body reaches (hostile ones nest thousands deep). */
export function noteSecretsIn(body: unknown, depth = 0): void {
  if (depth > 16) return;
  if (Array.isArray(body)) {
    for (const item of body) noteSecretsIn(item, depth + 1);
  } else if (body && typeof body === 'object') {
    for (const [key, value] of Object.entries(body)) {
      if (SECRET_FIELDS.has(key)) (Array.isArray(value) ? value : [value]).forEach(noteSecret);
      else noteSecretsIn(value, depth + 1);
    }
  }
}

/** `Basic base64(email:secret)` or `Bearer token`: the secret part. */
export function noteAuthorization(header: unknown): void {
  if (typeof header !== 'string') return;
  const [scheme, credentials = ''] = header.split(' ', 2);
  if (/^bearer$/i.test(scheme)) noteSecret(credentials);
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    noteSecret(decoded.slice(decoded.indexOf(':') + 1));
  }
}

export function usedSecrets(): string[] {
  return [...secrets];
}

/** The secrets that occur in `text`; a code only as a number of its own, not inside a longer one or an id. */
export function secretsIn(text: string): string[] {
  return usedSecrets().filter((secret) =>
    CODE.test(secret) ? new RegExp(`(?<![0-9A-Za-z])${secret}(?![0-9A-Za-z])`).test(text) : text.includes(secret),
  );
}
