import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GATEWAYS_DIR = join(import.meta.dirname, '..', '..', 'deploy', 'gateways');

/** What a template under deploy/gateways/ is filled with: where the gateway listens, where one_auth and the service are. */
export function templateValues(listen: number, oneAuthPort: number, upstreamPort: number, host = '127.0.0.1') {
  return {
    LISTEN: String(listen),
    ONE_AUTH: `${host}:${oneAuthPort}`,
    ONE_AUTH_HOST: host,
    ONE_AUTH_PORT: String(oneAuthPort),
    UPSTREAM: `${host}:${upstreamPort}`,
    UPSTREAM_HOST: host,
    UPSTREAM_PORT: String(upstreamPort),
  };
}

export type TemplateValues = ReturnType<typeof templateValues>;

/** The snippets of docs/gateways.md: the templates filled with these example values. */
export const DOCS_VALUES = templateValues(80, 8000, 3000);

export function readTemplate(file: string): string {
  return readFileSync(join(GATEWAYS_DIR, file), 'utf8');
}

/** `{{NAME}}` replaced by its value; a placeholder left over is an error. */
export function fillTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    if (!(name in values)) throw new Error(`No value for ${whole}`);
    return values[name as keyof TemplateValues];
  });
}

export const GATEWAYS_DOC = join(import.meta.dirname, '..', '..', 'docs', 'gateways.md');

/** The fenced block of docs/gateways.md whose first line is `firstLine`. */
export function docsSnippet(firstLine: string): string {
  const doc = readFileSync(GATEWAYS_DOC, 'utf8');
  for (const match of doc.matchAll(/^```[\w-]*\n([\s\S]*?)^```$/gm)) {
    if (match[1].startsWith(`${firstLine}\n`)) return match[1];
  }
  throw new Error(`docs/gateways.md has no fenced block starting with ${firstLine}`);
}

/** The first of `candidates` that exists, or undefined. */
export function findBinary(candidates: string[]): string | undefined {
  return candidates.find((path) => existsSync(path));
}

export async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface UpstreamRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodyBytes: number;
}

/** The service behind the gateway: records every request it receives, body included, and answers 200. */
export class RecordingUpstream {
  readonly received: UpstreamRequest[] = [];
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createHttpServer((request, response) => {
      let bodyBytes = 0;
      request.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
      request.on('end', () => {
        this.received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, bodyBytes });
        response.writeHead(200, { 'content-type': 'text/plain' }).end('upstream');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/**
 * A TCP relay in front of one_auth that counts the bytes the gateway sends
 * it: what one_auth receives, whatever the HTTP framing says.
 */
export class CountingRelay {
  bytesToService = 0;
  private server = createTcpServer();
  private sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly servicePort: number) {}

  async start(): Promise<void> {
    this.server.on('connection', (client) => {
      const service = connect(this.servicePort, '127.0.0.1');
      for (const socket of [client, service]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.on('data', (chunk: Buffer) => (this.bytesToService += chunk.length));
      client.pipe(service);
      service.pipe(client);
      client.on('close', () => service.destroy());
      service.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** A gateway process run from a temporary folder, stopped (and the folder removed) by stop(). */
export class GatewayProcess {
  private process: ChildProcess | undefined;
  private output = '';
  readonly dir = mkdtempSync(join(tmpdir(), 'one_auth-gateway-'));

  constructor(
    private readonly name: string,
    readonly port: number,
  ) {}

  writeFile(relative: string, text: string): string {
    const path = join(this.dir, relative);
    writeFileSync(path, text);
    return path;
  }

  makeDirs(...relatives: string[]): void {
    for (const relative of relatives) mkdirSync(join(this.dir, relative), { recursive: true });
  }

  /** Starts `command` and waits until the gateway accepts connections on its port. */
  async start(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
    const child = spawn(command, args, { cwd: this.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${this.name} exited with ${child.exitCode}:\n${this.output}`);
      if (await accepts(this.port)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.name} did not listen on ${this.port} within 30 s:\n${this.output}`);
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
