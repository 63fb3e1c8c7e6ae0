/** The 401 messages of the account API: a login's, and a token check's. */
export const BAD_PASSWORD_MESSAGE = 'Email or password is not correct';
export const BAD_TOKEN_MESSAGE = 'Email or token is not correct';
