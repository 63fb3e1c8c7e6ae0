// What the benchmark measures, in the order it runs. Adding a scenario is
// adding an entry to SCENARIOS: its key (in results.json), its label (in the
// table), how many requests a quick run sends, and the request to send, or
// a `run` of its own when it is more than one stream of requests.
import { randomBytes } from 'node:crypto';
import { loadFlows } from './load.mjs';
import { authorizePath, codeExchangeBody, pkcePair, REDIRECT_URI } from './oidc-seed.mjs';
import { QUICK_LOGIN_CONNECTIONS } from './settings.mjs';
import { asRandomUser, basic, pick, withPassword, withToken } from './requests.mjs';

/**
 * The token check and what it is set against, measured in turns (load.mjs,
 * inTurns), in this order, reversed every other round: S1 next to L0 and to
 * its twin. `target` answers what to load; the context holds the service,
 * its twin at LOG_LEVEL=warn (`quiet`), L1 and the seeded accounts.
 */
export const TOKEN_CHECK_VARIANTS = [
  { key: 'L1', label: 'L1 node:http token check', target: ({ l1, users }) => ({ url: l1.url, setup: asRandomUser(users, withToken) }) },
  { key: 'L0', label: 'L0 health/live', target: ({ service }) => ({ url: `${service.url}/health/live`, pid: service.pid }) },
  {
    key: 'S1',
    label: 'S1 token check',
    target: ({ service, users }) => ({ url: `${service.url}/api/validations`, setup: asRandomUser(users, withToken), pid: service.pid }),
  },
  {
    key: 'S1warn',
    label: 'S1 at LOG_LEVEL=warn (no request lines)',
    target: ({ quiet, users }) => ({ url: `${quiet.url}/api/validations`, setup: asRandomUser(users, withToken), pid: quiet.pid }),
  },
  {
    key: 'S1scraped',
    label: 'S1, /metrics scraped every 1 s',
    target: ({ service, users }) => ({
      url: `${service.url}/api/validations`,
      setup: asRandomUser(users, withToken),
      pid: service.pid,
      scrape: `${service.url}/metrics`,
    }),
  },
];

/**
 * The other scenarios, one after the other, each on its own. `quick` is
 * what a quick run sends (`amount` requests over `connections`, by default
 * the run's); `request` answers (or resolves to, when it first prepares
 * what the requests need) what autocannon sends: url, method, body,
 * headers, a per-request `setup`, `connections`; it is measured with the
 * service's memory. `run` measures a scenario itself with `context.load`
 * and may name further `checks` of its result (name, completed, errors).
 * The context: settings, service, users (seeded accounts with their
 * tokens), oidc (what oidc-seed.mjs made at the OpenID Provider), uploads,
 * load.
 */
export const SCENARIOS = [
  {
    key: 'S2',
    label: 'S2 profile update',
    quick: { amount: 500 },
    request: ({ service, users }) => ({
      url: `${service.url}/api/user/profile`,
      method: 'PUT',
      setup: (r) => {
        const user = pick(users);
        return {
          ...r,
          headers: { ...r.headers, authorization: basic(user.email, user.token), 'content-type': 'application/json' },
          body: JSON.stringify({ first_name: `Bench ${Math.floor(Math.random() * 1000)}`, department: 'Load' }),
        };
      },
    }),
  },
  {
    key: 'S3',
    label: 'S3 login',
    quick: { amount: 20, connections: QUICK_LOGIN_CONNECTIONS },
    request: ({ service, users }) => ({ url: `${service.url}/api/access_tokens`, setup: asRandomUser(users, withPassword) }),
  },
  {
    key: 'S4',
    label: 'S4 registration (SMTP 1 s)',
    quick: { amount: 200 },
    request: ({ service }) => {
      let registration = 0;
      const runId = randomBytes(3).toString('hex');
      return {
        url: `${service.url}/api/user`,
        method: 'POST',
        setup: (r) => ({
          ...r,
          headers: { ...r.headers, 'content-type': 'application/json' },
          body: JSON.stringify({ email: `new-${runId}-${registration++}@example.com` }),
        }),
      };
    },
  },
  {
    key: 'S5',
    label: 'S5 upload 200 KB',
    quick: { amount: 100 },
    request: ({ service, users, uploads: { photo } }) => ({
      url: `${service.url}/api/images`,
      method: 'POST',
      body: photo.body,
      setup: asRandomUser(users, withToken, { 'content-type': photo.type }),
    }),
  },
  {
    key: 'S6',
    label: 'S6 token check during logins',
    async run({ service, users, load }) {
      const [tokenChecks, logins] = await Promise.all([
        load({
          url: `${service.url}/api/validations`,
          quick: { amount: 300 },
          pid: service.pid,
          warmup: false,
          setup: asRandomUser(users, withToken),
        }),
        load({
          url: `${service.url}/api/access_tokens`,
          connections: 10,
          quick: { amount: 20 },
          warmup: false,
          setup: asRandomUser(users, withPassword),
        }),
      ]);
      return {
        ...tokenChecks,
        loginRequests: logins.requests,
        loginCompleted: logins.completed,
        loginErrors: logins.errors,
        loginP99: logins.p99,
      };
    },
    checks: (result) => [['S6 logins', result.loginCompleted, result.loginErrors]],
  },
  {
    key: 'O1',
    label: 'O1 refresh-token grant (rotating)',
    quick: { amount: 300 },
    request: ({ service, oidc }) => {
      // Each refresh token is used once: taken from the pool, and the one its answer rotates in put back, so the pool
      // (made by code flows while seeding) never runs dry however fast the provider answers.
      const pool = oidc.refreshTokens;
      return {
        url: `${service.url}/oidc/token`,
        method: 'POST',
        setup: (r) => ({
          ...r,
          headers: { ...r.headers, authorization: oidc.app.basic, 'content-type': 'application/x-www-form-urlencoded' },
          body: `grant_type=refresh_token&refresh_token=${pool.shift() ?? ''}`,
        }),
        onResponse: (status, body) => {
          if (status === 200) pool.push(JSON.parse(body).refresh_token);
        },
      };
    },
  },
  {
    key: 'O2',
    label: 'O2 userinfo',
    quick: { amount: 500 },
    request: ({ service, oidc }) => ({
      url: `${service.url}/oidc/me`,
      setup: (r) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${pick(oidc.accessTokens)}` } }),
    }),
  },
  {
    key: 'O3',
    label: 'O3 code flow, signed in (flows/s)',
    // A browser with a live session at the provider: `prompt=none` authorization, then the app's code exchange with PKCE.
    run: ({ settings, service, oidc }) => {
      const issuerPath = '/one_auth/oidc';
      return loadFlows(settings, {
        url: new URL(service.url).origin,
        pid: service.pid,
        quick: { amount: 100 },
        expected: [303, 200],
        steps: [
          {
            setup: (r, context) => {
              context.pkce = pkcePair();
              return {
                ...r,
                path: authorizePath(issuerPath, oidc.app, context.pkce.challenge, { prompt: 'none' }),
                headers: { ...r.headers, cookie: pick(oidc.sessions).cookie },
              };
            },
            onResponse: (_status, _body, context, headers) => {
              const location = headers.location ?? headers.Location ?? '';
              context.code = location.startsWith(REDIRECT_URI) ? new URL(location).searchParams.get('code') : null;
            },
          },
          {
            method: 'POST',
            setup: (r, context) =>
              context.code && {
                ...r,
                path: `${issuerPath}/token`,
                headers: { ...r.headers, authorization: oidc.app.basic, 'content-type': 'application/x-www-form-urlencoded' },
                body: codeExchangeBody(context.code, context.pkce.verifier),
              },
          },
        ],
      });
    },
  },
];
