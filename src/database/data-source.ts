import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { configAtStart } from '../config/config-at-start.js';
import { buildDataSourceOptions } from './database.options.js';

// The TypeORM CLI's DataSource (`npm run migration:run`), built from the same
// options and environment as the service.
if (existsSync('.env')) process.loadEnvFile('.env');

export default new DataSource(buildDataSourceOptions(configAtStart(process.env)));
