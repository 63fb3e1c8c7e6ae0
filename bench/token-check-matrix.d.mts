// Types of token-check-matrix.mjs, for the e2e suite that imports it.

export const VALIDATIONS: string;

export interface MatrixAccount {
  email: string;
  token: string;
  expired?: boolean;
}

export interface MatrixAccounts {
  active: MatrixAccount;
  encoded: MatrixAccount;
  expired: MatrixAccount;
  stranger: string;
}

export type MatrixRequest = [method: string, path: string, headers: Record<string, string>, body?: string];

export interface MatrixAnswer {
  request: string;
  status: number | string;
  headers?: Record<string, string | string[] | undefined>;
  headerNames?: string[];
  body?: string;
  requestId?: string;
}

export function matrixAccounts(tag?: string): MatrixAccounts;
export function seedMatrixAccounts(run: (sql: string, params: unknown[]) => unknown, accounts: MatrixAccounts, now?: number): Promise<void>;
export function matrixRequests(accounts: MatrixAccounts): MatrixRequest[];
export function sendMatrixRequest(base: string, request: MatrixRequest): Promise<MatrixAnswer>;
export function comparableLine(line: string): string;
export function requestCounts(metricsText: string): string[];
