import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

const BUCKET = 'one-auth-images';

/** The keys s3rver accepts, where the AWS SDK's chain finds them: the environment of this process. */
function useS3rverCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  // Its notice that later SDK releases need Node 22 says nothing about the tests.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}

/** What the service needs to keep its images in `bucket` of the S3-compatible server at `endpoint`. */
export function s3ServiceEnv(endpoint: string, bucket = BUCKET): Record<string, string> {
  useS3rverCredentials();
  return { IMAGE_STORAGE: 's3', S3_BUCKET: bucket, S3_ENDPOINT: endpoint, S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: 'true' };
}

/**
 * A real S3-compatible server (s3rver) in the test process, its objects in a
 * temporary folder. It can be stopped hard (an outage: connections cut, port
 * closed) and started again on the same port with the same objects.
 */
export class S3TestServer {
  readonly bucket = BUCKET;
  private server: S3rver | undefined;
  private port = 0;
  private readonly directory = mkdtempSync(join(tmpdir(), 'one_auth-s3-'));

  static async start(port = 0): Promise<S3TestServer> {
    useS3rverCredentials();
    const s3 = new S3TestServer();
    s3.port = port;
    await s3.resume();
    return s3;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What the service needs to keep its images here. */
  env(): Record<string, string> {
    return s3ServiceEnv(this.endpoint, this.bucket);
  }

  /** Starts serving (again), on the port of the first start. */
  async resume(): Promise<void> {
    const server = new S3rver({
      address: '127.0.0.1',
      port: this.port,
      directory: this.directory,
      silent: true,
      configureBuckets: [{ name: this.bucket }],
    });
    this.port = (await server.run()).port;
    this.server = server;
  }

  /** An outage: the port closes and open connections are cut, as when the store's host goes down. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = server.close();
    server.httpServer?.closeAllConnections();
    await closed;
  }

  /** The names of the objects in the bucket, read through the S3 API. */
  async objectNames(): Promise<string[]> {
    const client = new S3Client({ endpoint: this.endpoint, region: 'us-east-1', forcePathStyle: true });
    try {
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: this.bucket, ContinuationToken: token }));
        names.push(...(page.Contents ?? []).map((object) => object.Key!));
        token = page.NextContinuationToken;
      } while (token);
      return names;
    } finally {
      client.destroy();
    }
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
