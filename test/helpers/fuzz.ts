/** A small seeded generator, so a failing fuzz case can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(random: () => number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

export function randomPrintable(random: () => number, length: number): string {
  return Array.from({ length }, () => PRINTABLE[Math.floor(random() * PRINTABLE.length)]).join('');
}

/** Authorization headers that are wrong in every way an HTTP client can send. */
export function malformedAuthorization(random: () => number): string {
  const pick = Math.floor(random() * 8);
  const blob = randomBytes(random, Math.floor(random() * 80));
  switch (pick) {
    case 0:
      return `Basic ${blob.toString('base64')}`;
    case 1:
      return `Basic ${randomPrintable(random, Math.floor(random() * 60))}`;
    case 2:
      return `Bearer ${randomPrintable(random, Math.floor(random() * 60))}`;
    case 3:
      return `Basic ${Buffer.from(`${randomPrintable(random, 10)}:${blob.toString('latin1')}`, 'latin1').toString('base64')}`;
    case 4:
      return randomPrintable(random, Math.floor(random() * 100));
    case 5:
      return `Basic ${Buffer.from(`::::${randomPrintable(random, 5)}`).toString('base64')}==`;
    case 6:
      return `Basic ${'A'.repeat(Math.floor(random() * 10_000))}`;
    default:
      return `${randomPrintable(random, 6).replace(/ /g, '')} ${blob.toString('base64')}`;
  }
}

/** JSON-ish bodies: broken, deep, huge, typed wrongly, with prototype keys. */
export function hostileJson(random: () => number): string {
  const valid = JSON.stringify({ email: 'a@b.co', validation_code: '123456', password: 'correct horse', first_name: 'x' });
  const pick = Math.floor(random() * 9);
  switch (pick) {
    case 0:
      return valid.slice(0, Math.floor(random() * valid.length));
    case 1: {
      const at = Math.floor(random() * valid.length);
      return valid.slice(0, at) + randomPrintable(random, 3) + valid.slice(at);
    }
    case 2:
      return '['.repeat(5000) + ']'.repeat(5000);
    case 3:
      return JSON.stringify({ email: { $ne: null }, password: ['a'], validation_code: 123456, first_name: { toString: 1 } });
    case 4:
      return '{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}, "email": "a@b.co"}';
    case 5:
      return JSON.stringify({ email: `${'x'.repeat(300)}@b.co`, first_name: 1e308, avatar: 'data:text/html,<script>' });
    case 6:
      return `{"email": "\\ud800\\udc00\\u0000${randomPrintable(random, 5).replace(/["\\]/g, '')}"}`;
    case 7:
      return randomBytes(random, Math.floor(random() * 200)).toString('latin1');
    default:
      return JSON.stringify({ email: null, validation_code: null, password: null, country: true, avatar: 42 });
  }
}
