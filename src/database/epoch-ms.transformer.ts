import type { ValueTransformer } from 'typeorm';

/**
 * Instants are stored as epoch milliseconds in BIGINT columns: one exact,
 * timezone-free representation that compares the same way in SQLite and
 * MySQL. mysql2 hands BIGINT back as a string, hence the conversion.
 */
export const epochMs: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};
