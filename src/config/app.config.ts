import { type ConfigType, registerAs } from '@nestjs/config';
import { parseConfig } from './parse-config.js';

/** The `app` configuration namespace, validated once when the module starts. */
export const appConfig = registerAs('app', () => parseConfig(process.env));

export type AppConfigType = ConfigType<typeof appConfig>;
