import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = 'scripts/galera-throwaway.sh';

/** Ports of the suite; override when they are taken on the machine. */
export const PORTS = {
  database: Number(process.env.CLUSTER_DB_PORT ?? 3321),
  galera: Number(process.env.CLUSTER_GALERA_PORT ?? 4561),
  http: Number(process.env.CLUSTER_HTTP_PORT ?? 8401),
};

/** The 3-node Galera cluster of scripts/galera-throwaway.sh. */
export class GaleraCluster {
  urls: string[] = [];

  constructor(readonly dir: string) {}

  async start(): Promise<void> {
    const { stdout } = await run(SCRIPT, ['start', this.dir, String(PORTS.database), String(PORTS.galera)], { timeout: 600_000 });
    this.urls = stdout.trim().split('\n');
  }

  async killNode(n: number): Promise<void> {
    await run(SCRIPT, ['kill-node', this.dir, String(n)]);
  }

  async startNode(n: number): Promise<void> {
    await run(SCRIPT, ['start-node', this.dir, String(n)], { timeout: 300_000 });
  }

  async stop(): Promise<void> {
    await run(SCRIPT, ['stop', this.dir], { timeout: 120_000 }).catch(() => undefined);
  }
}

/** HAProxy run in the foreground on deploy/haproxy.cfg, the file users get, with the suite's addresses. */
export class Balancer {
  private child: ChildProcess | undefined;
  readonly output: string[] = [];

  constructor(
    readonly port: number,
    readonly backends: string[],
    readonly socket: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('haproxy', ['-db', '-f', 'deploy/haproxy.cfg'], {
      env: {
        ...process.env,
        ONE_AUTH_BIND: `127.0.0.1:${this.port}`,
        ONE_AUTH_HAPROXY_SOCKET: this.socket,
        ONE_AUTH_1: this.backends[0],
        ONE_AUTH_2: this.backends[1],
        ONE_AUTH_3: this.backends[2],
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`haproxy exited: ${this.output.join('')}`);
      const states = await this.serverStates().catch(() => ({}) as Record<string, string>);
      if (Object.values(states).length === 3 && Object.values(states).every((state) => state === 'UP')) return;
      if (Date.now() > deadline) throw new Error(`haproxy backends not all UP: ${JSON.stringify(states)} ${this.output.join('')}`);
      await sleep(200);
    }
  }

  /** Each server's check status as HAProxy sees it (`UP`, `DOWN`, `UP 1/2` …), from its runtime API. */
  async serverStates(): Promise<Record<string, string>> {
    const csv = await this.command('show stat');
    const lines = csv.trim().split('\n');
    const header = lines[0].replace(/^# /, '').split(',');
    const name = header.indexOf('svname');
    const status = header.indexOf('status');
    const states: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const fields = line.split(',');
      if (fields[0] === 'one_auth' && fields[name].startsWith('one_auth')) states[fields[name]] = fields[status];
    }
    return states;
  }

  private async command(text: string): Promise<string> {
    const socket = connect(this.socket);
    await once(socket, 'connect');
    socket.end(`${text}\n`);
    const chunks: Buffer[] = [];
    for await (const chunk of socket) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts of each status in a list of answers, for the figures printed by the suite. */
export function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}
