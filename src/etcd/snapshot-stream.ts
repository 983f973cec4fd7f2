import http2 from 'node:http2'
import { Readable } from 'node:stream'
import { errorMessage, EtcdError } from '../errors.js'
import { TRAILER_SIZE } from '../pipeline/digest.js'
import { VarintAccumulator } from '../wire/protobuf.js'
import type { EtcdAccess } from './access.js'
import {
  callStatus,
  EtcdGrpc,
  explainCallFailure,
  explainEtcdRefusal,
  GrpcCode,
  GrpcStatusError,
  MEMBER_WENT_AWAY
} from './grpc.js'

/** Bytes handed to the pipeline at a time: etcd sends 32 KiB messages in 16 KiB HTTP/2 frames, too small to pass on one by one. */
const BATCH_BYTES = 1 << 20

/**
 * `Maintenance.Snapshot` from one member, as a Readable of the snapshot's bytes (bbolt data, then etcd's sha256
 * trailer) — what `etcdctl snapshot save` writes to its file, without the file. It honours backpressure: when the
 * pipeline is busy the HTTP/2 stream is paused, its flow-control window fills and etcd waits, so memory stays at
 * the window plus one batch whatever the snapshot's size.
 *
 * It fails with one line naming the member: the timeout (the whole transfer, from connect to the last byte), a
 * member that went away mid-transfer, or etcd's own refusal (auth, permission).
 */
export async function openSnapshotStream(endpoint: string, access: EtcdAccess, timeoutMs: number): Promise<Readable> {
  try {
    return new SnapshotStream(await EtcdGrpc.connect(endpoint, access), endpoint, timeoutMs)
  } catch (e: unknown) {
    const why = e instanceof GrpcStatusError ? explainCallFailure(e) : errorMessage(e)
    throw new EtcdError(`snapshot save from ${endpoint} failed: ${why}`)
  }
}

/** The call starts at the first read, so that no failure can be emitted before the pipeline listens for it. */
class SnapshotStream extends Readable {
  private call?: http2.ClientHttp2Stream
  private readonly parser = new SnapshotResponseParser(bytes => this.collect(bytes))
  private timer?: NodeJS.Timeout
  private batch = Buffer.allocUnsafe(BATCH_BYTES)
  private filled = 0

  constructor(
    private readonly grpc: EtcdGrpc,
    private readonly endpoint: string,
    private readonly timeoutMs: number
  ) {
    super({ highWaterMark: BATCH_BYTES })
  }

  override _read(): void {
    if (this.call) {
      this.call.resume()
      return
    }
    const call = this.grpc.request('/etcdserverpb.Maintenance/Snapshot', Buffer.alloc(0), this.timeoutMs)
    this.call = call
    this.timer = setTimeout(() => this.destroy(this.timedOut()), this.timeoutMs)
    call.on('data', (chunk: Buffer) => {
      try {
        this.parser.feed(chunk)
      } catch (e: unknown) {
        this.destroy(this.failed(errorMessage(e)))
      }
    })
    callStatus(call).then(
      () => this.finish(),
      (e: unknown) => this.destroy(this.explain(e))
    )
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.timer)
    if (this.call && !this.call.closed) this.call.close(http2.constants.NGHTTP2_CANCEL)
    this.grpc.destroy()
    callback(error)
  }

  /** Copies blob bytes into the current batch; a full batch goes downstream, pausing etcd if the pipeline is behind. */
  private collect(bytes: Buffer): void {
    let at = 0
    while (at < bytes.length) {
      const n = bytes.copy(this.batch, this.filled, at)
      at += n
      this.filled += n
      if (this.filled === BATCH_BYTES) {
        const full = this.batch
        this.batch = Buffer.allocUnsafe(BATCH_BYTES)
        this.filled = 0
        if (!this.push(full)) this.call?.pause()
      }
    }
  }

  private finish(): void {
    if (this.destroyed) return
    clearTimeout(this.timer)
    const incomplete = this.parser.incomplete()
    if (incomplete) {
      this.destroy(this.failed(incomplete))
      return
    }
    if (this.filled) this.push(this.batch.subarray(0, this.filled))
    this.push(null)
    this.grpc.close()
  }

  private explain(e: unknown): Error {
    if (e instanceof EtcdError) return e
    if (e instanceof GrpcStatusError && e.code === GrpcCode.DeadlineExceeded) return this.timedOut()
    // etcd's Unavailable mid-stream is a member going away, as is a reset stream, a GOAWAY or a closed socket.
    if (e instanceof GrpcStatusError && e.code === GrpcCode.Unavailable && !explainEtcdRefusal(e))
      return this.failed(MEMBER_WENT_AWAY)
    return this.failed(explainCallFailure(e))
  }

  private failed(why: string): EtcdError {
    return new EtcdError(`snapshot save from ${this.endpoint} failed: ${why}`)
  }

  private timedOut(): EtcdError {
    return new EtcdError(
      `snapshot save from ${this.endpoint} did not finish within the timeout of ${Math.ceil(this.timeoutMs / 1000)}s; raise 'timeout' or check the member's load`
    )
  }
}

type ParserState = 'prefix' | 'tag' | 'varint' | 'length' | 'blob' | 'skip'

/**
 * etcd sends its snapshot in 32 KiB blobs; gRPC clients refuse messages over 4 MiB unless told otherwise. A bound on
 * what one message can carry before the announced size is known.
 */
const MAX_MESSAGE_BYTES = 4 << 20

/**
 * Reads a stream of gRPC-framed `SnapshotResponse { header = 1; uint64 remaining_bytes = 2; bytes blob = 3;
 * string version = 4 (3.6) }` messages as it arrives, in pieces of any size, and hands over the blob bytes as
 * slices of the incoming chunks: no message is assembled in memory. Unknown fields are skipped, as protobuf requires.
 *
 * The first message announces the size: etcd (3.4 to 3.6, `Maintenance.Snapshot`) sends the db in blobs, each with
 * remaining_bytes = db size - bytes sent so far, then one more message with the 32-byte sha256 of the data and
 * remaining_bytes 0. So the stream holds exactly first remaining_bytes + first blob + 32 bytes; a member that sends
 * more is refused the moment it does (an endless stream would otherwise fill the disk), one that stops short at the end.
 */
export class SnapshotResponseParser {
  private state: ParserState = 'prefix'
  private readonly prefix = Buffer.alloc(5)
  private prefixFilled = 0
  /** Bytes of the current message not read yet. */
  private messageLeft = 0
  private readonly varint = new VarintAccumulator()
  private field = 0
  /** Bytes of the current length-delimited field not read yet. */
  private fieldLeft = 0
  /** remaining_bytes of the last complete message (0 when absent, as proto3 omits zero). */
  private remaining = 0
  private remainingInMessage = 0
  private messages = 0
  /** Blob bytes the stream will hold in all, trailer included: known at the first blob. */
  private announced: number | undefined
  private received = 0

  constructor(private readonly onBlob: (bytes: Buffer) => void) {}

  feed(chunk: Buffer): void {
    let at = 0
    while (at < chunk.length) {
      switch (this.state) {
        case 'prefix': {
          const n = chunk.copy(this.prefix, this.prefixFilled, at, at + 5 - this.prefixFilled)
          at += n
          this.prefixFilled += n
          if (this.prefixFilled < 5) break
          if (this.prefix[0] !== 0)
            throw new Error('the member sent a compressed gRPC message, which was not asked for')
          this.prefixFilled = 0
          this.messageLeft = this.prefix.readUInt32BE(1)
          if (this.messageLeft > MAX_MESSAGE_BYTES) {
            throw new Error(
              `the member sent a ${this.messageLeft}-byte message; etcd sends its snapshot in 32 KiB messages, so this is not etcd's snapshot stream`
            )
          }
          this.remainingInMessage = 0
          this.startVarint('tag')
          this.endOfFieldOrMessage()
          break
        }
        case 'tag':
        case 'varint':
        case 'length': {
          const b = chunk[at++] as number
          this.consume(1)
          let last: boolean
          try {
            last = this.varint.add(b)
          } catch {
            throw new Error('the member sent a malformed snapshot message (varint)')
          }
          if (last) this.varintDone()
          break
        }
        case 'blob':
        case 'skip': {
          const n = Math.min(this.fieldLeft, chunk.length - at)
          if (this.state === 'blob') this.takeBlob(chunk.subarray(at, at + n))
          at += n
          this.fieldLeft -= n
          this.consume(n)
          if (this.fieldLeft === 0) this.endOfFieldOrMessage()
          break
        }
      }
    }
  }

  /**
   * Why the stream cannot be a whole snapshot, or undefined: it must end between messages, the last saying 0 bytes
   * remain, with every byte the first message announced.
   */
  incomplete(): string | undefined {
    if (this.state !== 'prefix' || this.prefixFilled !== 0) return 'the stream ended in the middle of a message'
    if (this.messages === 0 || this.announced === undefined) return 'the member sent no snapshot data'
    if (this.remaining !== 0) return `the stream ended with ${this.remaining} bytes of the snapshot still to come`
    if (this.received !== this.announced) {
      return `the stream ended after ${this.received} of the ${this.announced} bytes the member announced (snapshot and its ${TRAILER_SIZE}-byte checksum)`
    }
    return undefined
  }

  private takeBlob(bytes: Buffer): void {
    this.received += bytes.length
    if (this.received > this.announced!) {
      throw new Error(
        `the member sent more than the ${this.announced} bytes it announced (snapshot and its ${TRAILER_SIZE}-byte checksum); refused`
      )
    }
    this.onBlob(bytes)
  }

  private consume(n: number): void {
    this.messageLeft -= n
    if (this.messageLeft < 0)
      throw new Error('the member sent a malformed snapshot message (a field overruns its message)')
  }

  private startVarint(state: 'tag' | 'varint' | 'length'): void {
    this.state = state
    this.varint.reset()
  }

  private varintDone(): void {
    const value = this.varint.value
    if (this.state === 'tag') {
      this.field = Math.floor(value / 8)
      const wire = value % 8
      if (wire === 0) this.startVarint('varint')
      else if (wire === 2) this.startVarint('length')
      else if (wire === 1 || wire === 5) this.skip(wire === 1 ? 8 : 4)
      else throw new Error(`the member sent a malformed snapshot message (wire type ${wire})`)
    } else if (this.state === 'varint') {
      if (this.field === 2) this.remainingInMessage = value
      this.endOfFieldOrMessage()
    } else {
      if (value > this.messageLeft)
        throw new Error('the member sent a malformed snapshot message (a field overruns its message)')
      if (this.field === 3) {
        // etcd puts remaining_bytes (field 2) before the blob, as protobuf encoders write fields in order.
        this.announced ??= this.remainingInMessage + value + TRAILER_SIZE
        this.state = 'blob'
        this.fieldLeft = value
        if (value === 0) this.endOfFieldOrMessage()
      } else {
        this.skip(value)
      }
    }
  }

  private skip(bytes: number): void {
    this.state = 'skip'
    this.fieldLeft = bytes
    if (bytes === 0) this.endOfFieldOrMessage()
  }

  private endOfFieldOrMessage(): void {
    if (this.messageLeft > 0) {
      this.startVarint('tag')
      return
    }
    this.state = 'prefix'
    this.messages++
    this.remaining = this.remainingInMessage
  }
}
