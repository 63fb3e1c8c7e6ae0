// The token check's answers to a matrix of 37 requests: every method, HEAD,
// good and bad credentials, Bearer, an address that needs encoding, an
// expired token, bodies, a trailing slash, a query, a client's request id.
// Two ways of serving the check must answer all of them alike, and leave
// the same request lines and metrics: bench/token-check-answers.mjs
// compares two builds with it, test/token-check-ahead.e2e-spec.ts the
// answer ahead of Express with Nest's route alone.
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';

export const VALIDATIONS = '/one_auth/api/validations';

/** Headers that differ from one answer to the next whatever serves it. */
const VOLATILE_HEADERS = ['date', 'x-request-id', 'keep-alive'];

/** A 43-character token (as the service issues: 256 bits, base64url), the same for the same letter and tag. */
function tokenOf(letter, tag) {
  return tag ? createHash('sha256').update(`${letter}:${tag}`).digest('base64url') : letter.repeat(43);
}

/**
 * The accounts the matrix asks about: an active one, one whose address
 * needs percent-encoding in a header, one whose token has expired, and an
 * address with no account. `tag` keeps them apart from other runs' on a
 * shared database.
 */
export function matrixAccounts(tag = '') {
  const t = tag ? `-${tag}` : '';
  return {
    active: { email: `a${t}@example.com`, token: tokenOf('T', tag) },
    encoded: { email: `é%ü${t}@example.com`, token: tokenOf('U', tag) },
    expired: { email: `old${t}@example.com`, token: tokenOf('V', tag), expired: true },
    stranger: `b${t}@example.com`,
  };
}

/**
 * Writes the accounts and their tokens, through `run(sql, params)` (SQL
 * that SQLite and MySQL both take), in order.
 */
export async function seedMatrixAccounts(run, accounts, now = Date.now()) {
  for (const { email, token, expired } of [accounts.active, accounts.encoded, accounts.expired]) {
    await run('INSERT INTO users (email, status, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [
      email,
      'active',
      'x',
      now,
      now,
    ]);
    await run(
      `INSERT INTO access_tokens (user_id, token_hash, public_id, created_at, expires_at, last_used_at)
        SELECT id, ?, ?, ?, ?, ? FROM users WHERE email = ?`,
      [
        createHash('sha256').update(token).digest('hex'),
        randomBytes(16).toString('hex'),
        now,
        expired ? now - 1 : now + 86_400_000,
        now,
        email,
      ],
    );
  }
}

const basic = (pair) => 'Basic ' + Buffer.from(pair).toString('base64');

/** The 37 requests, each `[method, path, headers, body]`. */
export function matrixRequests({ active, encoded, expired, stranger }) {
  const good = basic(`${active.email}:${active.token}`);
  const cases = [];
  for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'SEARCH', 'PROPFIND']) {
    cases.push([method, VALIDATIONS, { authorization: good }]);
    cases.push([method, VALIDATIONS, { authorization: basic(`${active.email}:nope`) }]);
  }
  cases.push(['GET', VALIDATIONS, {}]);
  cases.push(['GET', VALIDATIONS, { authorization: `Bearer ${active.token}` }]);
  cases.push(['GET', VALIDATIONS, { authorization: `Bearer ${active.token}x` }]);
  cases.push(['GET', VALIDATIONS, { authorization: `bearer ${active.token}` }]);
  cases.push(['GET', VALIDATIONS, { authorization: basic(`${active.email.toUpperCase()}:${active.token}`) }]);
  cases.push(['GET', VALIDATIONS, { authorization: basic(`${stranger}:${active.token}`) }]);
  cases.push(['GET', VALIDATIONS, { authorization: basic(`${encoded.email}:${encoded.token}`) }]);
  cases.push(['GET', VALIDATIONS, { authorization: basic(`${expired.email}:${expired.token}`) }]);
  cases.push(['GET', VALIDATIONS, { authorization: 'Basic !!!' }]);
  cases.push(['GET', VALIDATIONS, { authorization: 'Digest abc' }]);
  cases.push(['GET', VALIDATIONS + '/', { authorization: good }]);
  cases.push(['GET', VALIDATIONS + '?x=1', { authorization: good }]);
  cases.push(['GET', '/one_auth/API/validations', { authorization: good }]);
  cases.push(['GET', VALIDATIONS + '/extra', { authorization: good }]);
  cases.push(['GET', VALIDATIONS, { authorization: good, 'x-request-id': 'client-id-1' }]);
  cases.push(['POST', VALIDATIONS, { authorization: good, 'content-type': 'text/plain', 'content-length': '5' }, 'hello']);
  cases.push(['POST', VALIDATIONS, { authorization: good, 'content-type': 'application/json', 'content-length': '9' }, '{broken}x']);
  cases.push([
    'PUT',
    VALIDATIONS,
    { authorization: basic(`${active.email}:nope`), 'content-type': 'application/json', 'content-length': '2' },
    '{}',
  ]);
  cases.push(['GET', VALIDATIONS, { authorization: good, 'x-request-id': 'client-id-2' }]);
  return cases;
}

/**
 * Sends one request of the matrix to `base` (`http://host:port`) and
 * answers what is compared: status, headers but the volatile ones, the
 * order of the header names, the body, and whether the request id is the
 * client's or one the service made.
 */
export function sendMatrixRequest(base, [method, path, headers, body]) {
  return new Promise((resolve) => {
    const sent = httpRequest(`${base}${path}`, { method, headers }, (response) => {
      let data = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (data += chunk));
      response.on('end', () => {
        const requestId = response.headers['x-request-id'];
        resolve({
          request: `${method} ${path} ${JSON.stringify(headers)}`,
          status: response.statusCode,
          headers: Object.fromEntries(Object.entries(response.headers).filter(([name]) => !VOLATILE_HEADERS.includes(name))),
          headerNames: response.rawHeaders.filter((_, i) => i % 2 === 0).filter((name) => !/^(date|keep-alive)$/i.test(name)),
          body: data,
          requestId: requestId === headers['x-request-id'] ? requestId : /^[0-9a-f-]{36}$/.test(requestId) ? 'generated' : requestId,
        });
      });
    });
    sent.setTimeout(3000, () => {
      sent.destroy();
      resolve({ request: `${method} ${path}`, status: 'timeout' });
    });
    sent.on('error', (error) => resolve({ request: `${method} ${path}`, status: `error ${error.code}` }));
    sent.end(body);
  });
}

/** A request line as compared: what differs from run to run (time, a generated id, latency, process) set aside. */
export function comparableLine(line) {
  return line
    .replace(/"time":"[^"]+"/, '"time":"T"')
    .replace(/"reqId":"[0-9a-f-]{36}"/, '"reqId":"R"')
    .replace(/"responseTime":\d+/, '"responseTime":0')
    .replace(/"pid":\d+/, '"pid":0');
}

/** The request counts of a Prometheus text, one line per method, route and status. */
export function requestCounts(metricsText) {
  return metricsText.split('\n').filter((line) => line.startsWith('one_auth_http_request_duration_seconds_count'));
}
