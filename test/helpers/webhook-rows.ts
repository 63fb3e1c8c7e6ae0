import type { TestApp } from './test-app.js';

/** The id events carry as `data.user_id`. */
export async function userId(t: TestApp, email: string): Promise<number> {
  const rows = (await t.dataSource.query('SELECT id FROM users WHERE email = ?', [email])) as { id: number | string }[];
  return Number(rows[0].id);
}

export interface DeliveryRow {
  message_id: string;
  endpoint: string;
  event_type: string;
  status: string;
  attempts: number;
  payload: string;
}

/** What the service stored about an account's webhook deliveries, read straight from the database, oldest first. */
export async function deliveriesOf(t: TestApp, id: number): Promise<DeliveryRow[]> {
  const rows = (await t.dataSource.query(
    'SELECT message_id, endpoint, event_type, status, attempts, payload FROM webhook_deliveries WHERE user_id = ? ORDER BY id',
    [id],
  )) as DeliveryRow[];
  return rows.map((row) => ({ ...row, attempts: Number(row.attempts) }));
}
