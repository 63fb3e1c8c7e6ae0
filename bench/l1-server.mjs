// L1, the machine's floor for the token check: node:http with no framework
// doing S1's work on the same database (parse Basic, SHA-256 the token, one
// indexed lookup, JSON reply). Usage: node bench/l1-server.mjs PORT DATABASE
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';

const [port, database] = process.argv.slice(2);
// The service's own token query (src/auth/token-lookup.ts, built), so L1 does the same database work.
const { TOKEN_LOOKUP_SQL } = await import('../dist/auth/token-lookup.js');

let lookup;
if (database.startsWith('mysql://')) {
  const pool = mysql.createPool({ uri: database, connectionLimit: 10 });
  lookup = async (hash) => (await pool.execute(TOKEN_LOOKUP_SQL.mysql, [hash]))[0][0];
} else {
  const db = new Database(database, { readonly: true });
  db.pragma('journal_mode = WAL');
  const statement = db.prepare(TOKEN_LOOKUP_SQL.sqlite);
  lookup = async (hash) => statement.get(hash);
}

function unauthorized(response) {
  response.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Email or token is not correct"}');
}

createServer(async (request, response) => {
  const header = request.headers.authorization ?? '';
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (!header.startsWith('Basic ') || colon < 1) return unauthorized(response);
  const row = await lookup(
    createHash('sha256')
      .update(decoded.slice(colon + 1))
      .digest('hex'),
  );
  if (!row || row.email !== decoded.slice(0, colon).toLowerCase()) return unauthorized(response);
  const { email, first_name, last_name, country, department, avatar } = row;
  response
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ email, first_name, last_name, country, department, avatar }));
}).listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
