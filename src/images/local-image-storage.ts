import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageStorage } from './image-storage.js';

/** Images as files in one folder (`$DATA_DIR/images`). Names are server-made and checked by the caller. */
export class LocalImageStorage implements ImageStorage {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly folder: string) {}

  async save(name: string, data: Buffer): Promise<void> {
    this.ready ??= mkdir(this.folder, { recursive: true });
    await this.ready;
    // Write then rename: a reader never sees half a file, a crash leaves only a temp file.
    const temporary = join(this.folder, `.${name}.tmp`);
    await writeFile(temporary, data, { mode: 0o644 });
    await rename(temporary, join(this.folder, name));
  }

  async open(name: string) {
    const path = join(this.folder, name);
    try {
      const { size } = await stat(path);
      return { stream: createReadStream(path), size };
    } catch {
      return null;
    }
  }

  async delete(name: string): Promise<void> {
    await rm(join(this.folder, name), { force: true });
  }
}
