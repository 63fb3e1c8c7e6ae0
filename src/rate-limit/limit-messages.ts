/** What a 429 says, for each limit the service applies: the answers and the published document use these. */
export const TOO_MANY_LOGINS_MESSAGE = 'Too many failed logins, please retry later';
export const TOO_MANY_CODES_MESSAGE = 'Too many codes requested, please retry later';
export const TOO_MANY_WRONG_CODES_MESSAGE = 'Too many wrong codes, please retry later';
/** Any other 429. */
export const TOO_MANY_REQUESTS_MESSAGE = 'Too many requests, please retry later';
