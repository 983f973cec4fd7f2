import { constants, promises as fs, type promises } from 'node:fs'
import { Readable } from 'node:stream'

const CHUNK = 1 << 20
/** How long to wait for the writer when we have caught up with it. */
const POLL_MS = 5

/**
 * Reads a file while another process is still writing it sequentially — etcdctl's `<file>.part` during
 * `snapshot save` — so hashing, compression and encryption run while etcd streams the snapshot instead of after it.
 * The stream ends only once `finished` resolves (the writer exited cleanly, so every byte is on disk) and a read
 * after that finds no more data; it fails with the writer's error if `finished` rejects.
 *
 * The writer renames `.part` to its final name when done; the descriptor we hold keeps reading the same file.
 */
export class FollowedFile extends Readable {
  private handle?: promises.FileHandle
  private position = 0
  private writerDone = false
  private writerError?: Error
  private wake?: () => void

  constructor(
    private readonly paths: { growing: string; final: string },
    finished: Promise<unknown>
  ) {
    super({ highWaterMark: CHUNK })
    finished.then(
      () => {
        this.writerDone = true
        this.wake?.()
      },
      (e: unknown) => {
        this.writerError = e instanceof Error ? e : new Error(String(e))
        this.wake?.()
      }
    )
  }

  /** Bytes read so far. */
  get bytesRead(): number {
    return this.position
  }

  override _read(): void {
    this.readMore().catch((e: unknown) => this.destroy(e instanceof Error ? e : new Error(String(e))))
  }

  private async readMore(): Promise<void> {
    for (;;) {
      if (this.writerError) {
        this.destroy(this.writerError)
        return
      }
      // Noted before reading: a zero-byte read after the writer has exited really is the end of the file.
      const doneBeforeRead = this.writerDone
      const handle = await this.open(doneBeforeRead)
      if (handle) {
        const buffer = Buffer.allocUnsafe(CHUNK)
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, this.position)
        if (bytesRead > 0) {
          this.position += bytesRead
          this.push(buffer.subarray(0, bytesRead))
          return
        }
        if (doneBeforeRead) {
          this.push(null)
          return
        }
      }
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, POLL_MS)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = undefined
    }
  }

  /** Opens the growing file once it exists; after the writer is done, the final name (it may have been renamed). */
  private async open(writerDone: boolean): Promise<promises.FileHandle | undefined> {
    if (this.handle) return this.handle
    for (const file of writerDone ? [this.paths.growing, this.paths.final] : [this.paths.growing]) {
      try {
        this.handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW)
        return this.handle
      } catch (e: unknown) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
      }
    }
    if (writerDone) throw new Error(`the snapshot file ${this.paths.final} is missing after the save`)
    return undefined
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const handle = this.handle
    this.handle = undefined
    if (!handle) return callback(error)
    handle.close().then(
      () => callback(error),
      () => callback(error)
    )
  }
}
