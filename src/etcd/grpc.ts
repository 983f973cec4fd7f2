import { readFile } from 'node:fs/promises'
import http2 from 'node:http2'
import { EtcdError } from '../errors.js'
import { readVarint, varint, WIRE_LEN, WIRE_VARINT } from '../wire/protobuf.js'
import type { EtcdAccess } from './client.js'
import { diagnoseTls } from './tls-probe.js'

/**
 * A minimal gRPC client over node:http2 for the one call etcdctl is too slow at: streaming a snapshot (see
 * snapshot-stream.ts). etcdctl spends about as much CPU receiving a snapshot as etcd spends sending it; here the
 * bytes go from the TLS socket into our pipeline with one copy. Everything else still goes through etcdctl.
 *
 * One connection to one member, with the same TLS files etcdctl uses (never argv), and etcd's auth token when a
 * username is set.
 */

/** Flow-control window per stream and per connection: large enough that etcd never waits for a window update. */
const WINDOW_BYTES = 8 << 20
const CONNECT_TIMEOUT_MS = 10_000

/** gRPC status codes we name (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GrpcCode = {
  Ok: 0,
  DeadlineExceeded: 4,
  PermissionDenied: 7,
  Unavailable: 14,
  Unauthenticated: 16
} as const

/** A call ended with a non-OK gRPC status; `detail` is etcd's message (e.g. "etcdserver: permission denied"). */
export class GrpcStatusError extends Error {
  override name = 'GrpcStatusError'
  constructor(
    readonly code: number,
    readonly detail: string
  ) {
    super(`gRPC status ${code}: ${detail}`)
  }
}

export class EtcdGrpc {
  private constructor(
    private readonly session: http2.ClientHttp2Session,
    private readonly token: string | undefined
  ) {}

  /** Connects (TLS per `access`) and, when a username is set, authenticates for a token. */
  static async connect(endpoint: string, access: EtcdAccess): Promise<EtcdGrpc> {
    const [ca, cert, key] = await Promise.all(
      [access.cacertFile, access.certFile, access.keyFile].map(f => (f ? readFile(f) : Promise.resolve(undefined)))
    )
    const session = http2.connect(endpoint, { ca, cert, key, settings: { initialWindowSize: WINDOW_BYTES } })
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer in time')), CONNECT_TIMEOUT_MS)
        // Not 'connect', which fires once TLS is up: a server that is not etcd then fails the first call obscurely.
        session.once('remoteSettings', () => {
          clearTimeout(timer)
          resolve()
        })
        session.once('error', (e: Error) => {
          clearTimeout(timer)
          reject(e)
        })
      })
    } catch (e: unknown) {
      session.destroy()
      const hint = (await diagnoseTls(endpoint, access)) ?? (e as Error).message
      throw new EtcdError(`cannot connect to ${endpoint}: ${hint}`)
    }
    // Errors surface on the stream that suffers them; an unhandled session 'error' would crash the process.
    session.on('error', () => undefined)
    session.setLocalWindowSize(WINDOW_BYTES)
    const connection = new EtcdGrpc(session, undefined)
    if (!access.username) return connection
    try {
      const reply = await connection.unary(
        '/etcdserverpb.Auth/Authenticate',
        authenticateRequest(access.username, access.password ?? '')
      )
      return new EtcdGrpc(session, readStringField(reply, 2))
    } catch (e: unknown) {
      session.close()
      throw e
    }
  }

  /**
   * Starts a call and returns its HTTP/2 stream: gRPC-framed response messages as 'data', the status in the
   * trailers (read with `callStatus`). `timeoutMs` goes to etcd as grpc-timeout; the caller keeps its own timer.
   */
  request(path: string, message: Buffer, timeoutMs?: number): http2.ClientHttp2Stream {
    const headers: http2.OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers'
    }
    // gRPC allows at most 8 digits: a limit past 27 hours goes in seconds.
    if (timeoutMs !== undefined)
      headers['grpc-timeout'] = timeoutMs < 1e8 ? `${Math.ceil(timeoutMs)}m` : `${Math.ceil(timeoutMs / 1000)}S`
    if (this.token) headers['token'] = this.token
    const stream = this.session.request(headers)
    stream.end(frame(message))
    return stream
  }

  /** A call with one request and one response message. */
  async unary(path: string, message: Buffer, timeoutMs = 10_000): Promise<Buffer> {
    const stream = this.request(path, message, timeoutMs)
    const chunks: Buffer[] = []
    stream.on('data', (c: Buffer) => chunks.push(c))
    const timer = setTimeout(() => stream.destroy(new Error('no answer in time')), timeoutMs)
    try {
      await callStatus(stream)
    } finally {
      clearTimeout(timer)
    }
    const body = Buffer.concat(chunks)
    if (body.length < 5 || body[0] !== 0 || body.length !== 5 + body.readUInt32BE(1)) {
      throw new EtcdError(`${path}: the member sent a malformed gRPC reply`)
    }
    return body.subarray(5)
  }

  close(): void {
    this.session.close()
  }

  destroy(): void {
    this.session.destroy()
  }
}

/**
 * Resolves when the call's stream closes with gRPC status OK; rejects with a GrpcStatusError for another status,
 * or with the stream's own error (connection reset, GOAWAY, a destroy() with a reason).
 */
export function callStatus(stream: http2.ClientHttp2Stream): Promise<void> {
  return new Promise((resolve, reject) => {
    let status: string | undefined
    let detail = ''
    let failure: Error | undefined
    const note = (h: http2.IncomingHttpHeaders): void => {
      if (h['grpc-status'] === undefined) return
      status = String(h['grpc-status'])
      detail = decodeGrpcMessage(String(h['grpc-message'] ?? ''))
    }
    stream.on('response', note)
    stream.on('trailers', note)
    stream.on('error', (e: Error) => (failure ??= e))
    stream.on('close', () => {
      if (failure) reject(failure)
      else if (status === '0') resolve()
      else if (status !== undefined) reject(new GrpcStatusError(Number(status), detail))
      else reject(new Error(`the stream closed without a gRPC status (HTTP/2 code ${stream.rstCode ?? 'none'})`))
    })
  })
}

function decodeGrpcMessage(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The 5-byte gRPC message prefix (uncompressed, length) and the message. */
function frame(message: Buffer): Buffer {
  const prefix = Buffer.alloc(5)
  prefix.writeUInt32BE(message.length, 1)
  return Buffer.concat([prefix, message])
}

/** etcdserverpb.AuthenticateRequest { string name = 1; string password = 2; } */
function authenticateRequest(name: string, password: string): Buffer {
  const field = (number: number, text: string): Buffer => {
    const bytes = Buffer.from(text, 'utf8')
    return Buffer.concat([Buffer.from([(number << 3) | 2]), encodeVarint(bytes.length), bytes])
  }
  return Buffer.concat([field(1, name), field(2, password)])
}

function encodeVarint(value: number): Buffer {
  const bytes: number[] = []
  while (value >= 0x80) {
    bytes.push((value % 0x80) | 0x80)
    value = Math.floor(value / 0x80)
  }
  bytes.push(value)
  return Buffer.from(bytes)
}

/** The first length-delimited field `number` of a message, as UTF-8 (AuthenticateResponse.token is field 2). */
function readStringField(message: Buffer, number: number): string {
  const malformed = (): EtcdError => new EtcdError('the member sent a malformed authentication reply')
  let at = 0
  while (at < message.length) {
    at = readVarint(message, at, message.length)
    if (at < 0) throw malformed()
    const tag = varint.value
    if ((tag & 7) === WIRE_VARINT) {
      at = readVarint(message, at, message.length)
    } else if ((tag & 7) === WIRE_LEN) {
      at = readVarint(message, at, message.length)
      if (at < 0 || at + varint.value > message.length) throw malformed()
      if (tag >>> 3 === number) return message.toString('utf8', at, at + varint.value)
      at += varint.value
    } else {
      throw malformed()
    }
    if (at < 0) throw malformed()
  }
  throw new EtcdError('the member accepted the credentials but sent no token')
}
