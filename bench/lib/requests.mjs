// How the load generator signs its requests: as a random seeded account, with its token or its password.
import { SEEDED_PASSWORD } from './seed.mjs';

export const basic = (user, secret) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
export const pick = (users) => users[Math.floor(Math.random() * users.length)];
export const withToken = (user) => user.token;
export const withPassword = () => SEEDED_PASSWORD;

/** An autocannon request setup that signs each request as a random seeded account, with its token or its password. */
export const asRandomUser =
  (users, secretOf, extra = {}) =>
  (request) => {
    const user = pick(users);
    return { ...request, headers: { ...request.headers, ...extra, authorization: basic(user.email, secretOf(user)) } };
  };
