/** What the second-factor operations answer: the published document and the tests use these. */
export const SECOND_FACTOR_REQUIRED_MESSAGE = 'Second factor required';
export const LOGIN_EXPIRED_MESSAGE = 'Login expired';
export const ALREADY_ENABLED_MESSAGE = 'Second factor already enabled';
export const NOT_ENABLED_MESSAGE = 'Second factor not enabled';
export const DISABLED_MESSAGE = 'Second factor disabled';
