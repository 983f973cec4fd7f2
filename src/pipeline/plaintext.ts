import { constants, promises as fs } from 'node:fs'
import * as path from 'node:path'
import { Transform, type TransformCallback } from 'node:stream'
import { errorMessage, OutputError } from '../errors.js'

/**
 * The first stage of the pipeline: writes every byte to the plaintext snapshot file before passing it on, so that
 * once the stream ends the structure walk and etcd's own `snapshot status` can read a file (they need random
 * access) while hashing, compression and encryption never read it back. The file is created 0600 with
 * O_EXCL|O_NOFOLLOW in the private dir; the pipeline removes it on failure, the post step in any case.
 */
export class PlaintextCopy extends Transform {
  private constructor(
    private readonly handle: fs.FileHandle,
    private readonly file: string
  ) {
    super({ highWaterMark: 1 << 20 })
  }

  static async create(file: string): Promise<PlaintextCopy> {
    try {
      const handle = await fs.open(
        file,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o600
      )
      return new PlaintextCopy(handle, file)
    } catch (e: unknown) {
      throw new OutputError(`cannot create the plaintext snapshot ${file}: ${errorMessage(e)}`)
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.writeAll(chunk).then(
      () => callback(null, chunk),
      (e: unknown) => callback(this.describe(e))
    )
  }

  private async writeAll(chunk: Buffer): Promise<void> {
    for (let at = 0; at < chunk.length;) {
      const { bytesWritten } = await this.handle.write(chunk, at, chunk.length - at)
      at += bytesWritten
    }
  }

  override _flush(callback: TransformCallback): void {
    this.handle.close().then(
      () => callback(),
      (e: unknown) => callback(this.describe(e))
    )
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.handle.close().then(
      () => callback(error),
      () => callback(error)
    )
  }

  private describe(e: unknown): OutputError {
    const dir = path.dirname(this.file)
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      return new OutputError(
        `no space left in ${dir} for the plaintext snapshot; the runner's temp dir (RUNNER_TEMP) needs room for the whole snapshot`
      )
    }
    return new OutputError(`writing the plaintext snapshot in ${dir} failed: ${errorMessage(e)}`)
  }
}
