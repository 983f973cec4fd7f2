import { readFile } from 'node:fs/promises'
import http2 from 'node:http2'
import { isIP, connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { EtcdError } from '../errors.js'
import { lengthField, readFields, WIRE_LEN } from '../wire/protobuf.js'
import type { EtcdAccess } from './access.js'

/**
 * A minimal gRPC client over node:http2: one connection to one member, with the TLS files etcdctl would use (never
 * argv) and etcd's auth token when a username is set. The snapshot stream reads its calls' HTTP/2 streams directly
 * (see snapshot-stream.ts): the bytes go from the TLS socket into the pipeline with one copy, where etcdctl spends
 * about as much CPU receiving a snapshot as etcd spends sending it.
 *
 * Its failures say what went wrong in the words a platform engineer acts on: the connection's from node's TLS and
 * socket error codes and how far the connection got, a call's from its gRPC status.
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

/** Said of a server that completes TLS and then answers HTTP/2's opening with something else. */
export const NOT_GRPC =
  "the endpoint completed the TLS handshake but does not speak etcd's gRPC (HTTP/2); is this etcd's client port?"

export const MEMBER_WENT_AWAY =
  'the member closed the connection during the transfer (etcd stopped, restarted or was killed); retry, or check the member'

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

/** A unary call got no reply within its own timeout. */
export class CallTimeoutError extends Error {
  override name = 'CallTimeoutError'
}

/** No gRPC connection to the endpoint; `hint` says why in one line ("connection refused: …"). */
export class ConnectError extends EtcdError {
  constructor(
    readonly endpoint: string,
    readonly hint: string
  ) {
    super(`cannot connect to ${endpoint}: ${hint}`)
  }
}

/** How far a connection got before it failed: that tells an unreachable host from a server that is not etcd. */
interface Progress {
  tls: boolean
  /** TCP is up. */
  dialed: boolean
  /** The TLS handshake completed. */
  secured: boolean
}

export class EtcdGrpc {
  private constructor(
    private readonly session: http2.ClientHttp2Session,
    private readonly token: string | undefined
  ) {}

  /**
   * Connects (TLS per `access`) and, when a username is set, authenticates for a token. Throws a ConnectError when
   * etcd's HTTP/2 opening does not come within `timeoutMs`, or a GrpcStatusError when etcd refuses the credentials.
   */
  static async connect(endpoint: string, access: EtcdAccess, timeoutMs = CONNECT_TIMEOUT_MS): Promise<EtcdGrpc> {
    const [ca, cert, key] = await Promise.all(
      [access.cacertFile, access.certFile, access.keyFile].map(f => (f ? readFile(f) : Promise.resolve(undefined)))
    )
    const url = new URL(endpoint)
    const host = url.hostname.replace(/^\[|\]$/g, '')
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
    const progress: Progress = { tls: url.protocol === 'https:', dialed: false, secured: false }
    let socket: Socket | undefined
    // The session does not always pass on a TLS alert that comes after the handshake (TLS 1.3's verdict on the
    // client certificate): the socket's own error is the one that names it.
    let socketError: ((e: Error) => void) | undefined
    let earlySocketError: Error | undefined
    const session = http2.connect(endpoint, {
      settings: { initialWindowSize: WINDOW_BYTES },
      // Our own socket, to see how far the connection gets.
      createConnection: () => {
        socket = progress.tls
          ? tlsConnect({ host, port, servername: isIP(host) ? undefined : host, ca, cert, key, ALPNProtocols: ['h2'] })
          : netConnect({ host, port })
        socket.once('connect', () => (progress.dialed = true))
        socket.once('secureConnect', () => (progress.secured = true))
        socket.once('error', (e: Error) => (socketError ? socketError(e) : (earlySocketError ??= e)))
        return socket
      }
    })
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new CallTimeoutError('no answer in time')), timeoutMs)
        const fail = (e: Error): void => {
          clearTimeout(timer)
          reject(e)
        }
        // Not 'connect', which fires once TLS is up: a server that is not etcd then fails the first call obscurely.
        session.once('remoteSettings', () => {
          clearTimeout(timer)
          resolve()
        })
        session.once('error', fail)
        socketError = fail
        if (earlySocketError) fail(earlySocketError)
        session.once('close', () => fail(new Error('the connection closed before HTTP/2 began')))
      })
    } catch (e: unknown) {
      session.destroy()
      socket?.destroy()
      throw new ConnectError(endpoint, describeConnectFailure(e as NodeJS.ErrnoException, progress))
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
      return new EtcdGrpc(session, authToken(reply))
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

  /**
   * A call with one request and one response message. Rejects with a GrpcStatusError for etcd's refusal, a
   * CallTimeoutError after `timeoutMs`, or the stream's own error when the connection breaks.
   */
  async unary(path: string, message: Buffer, timeoutMs = 10_000): Promise<Buffer> {
    const stream = this.request(path, message, timeoutMs)
    const chunks: Buffer[] = []
    stream.on('data', (c: Buffer) => chunks.push(c))
    const timer = setTimeout(() => stream.destroy(new CallTimeoutError('no answer in time')), timeoutMs)
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

/**
 * etcd's refusals that users can act on: by status code where it says enough (PermissionDenied), else by etcd's own
 * error descriptions (its rpctypes: the description is an etcd error's identity, as for etcd's Go client); undefined
 * for any other.
 */
export function explainEtcdRefusal(e: GrpcStatusError): string | undefined {
  // etcd 3.4 passes some of its auth package's errors ("auth: …") on as they are, with code Unknown.
  switch (e.code === GrpcCode.PermissionDenied ? 'etcdserver: permission denied' : e.detail) {
    case 'etcdserver: permission denied':
    case 'auth: permission denied':
      return 'permission denied: the etcd user needs the root role to take snapshots'
    case 'etcdserver: authentication failed, invalid user ID or password':
    case 'auth: authentication failed, invalid user ID or password':
      return 'authentication failed: wrong username or password'
    case 'etcdserver: user name is empty':
    case 'etcdserver: user name not found':
    case 'auth: user name is empty':
    case 'auth: user name not found':
      return 'etcd auth is enabled: set username and password'
    default:
      return undefined
  }
}

/** One line for a call that failed after the connection was up (not for its timeout, which the caller words). */
export function explainCallFailure(e: unknown): string {
  if (e instanceof EtcdError) return e.message
  if (e instanceof GrpcStatusError) return explainEtcdRefusal(e) ?? `etcd answered: ${e.detail.slice(0, 300)}`
  // A reset stream, a GOAWAY, a closed socket: the member went away after accepting the call.
  return MEMBER_WENT_AWAY
}

/** Why a connection failed, from node's error code and how far the connection got. */
function describeConnectFailure(err: NodeJS.ErrnoException, progress: Progress): string {
  const text = `${err.code ?? ''} ${err.message}`
  if (
    /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT/.test(
      text
    )
  ) {
    return "the server's certificate is not signed by cacert (wrong CA?)"
  }
  if (/ERR_TLS_CERT_ALTNAME_INVALID/.test(text)) return "the server's certificate does not name this endpoint's host"
  if (/CERT_HAS_EXPIRED/.test(text)) return "the server's certificate has expired"
  // TLS 1.3 servers check the client certificate after the handshake and answer with an alert.
  if (/certificate required|bad certificate|unknown ca|alert number 4[25]|alert number 116/i.test(text)) {
    return 'the server rejected the client certificate (cert/key not signed by the etcd CA, or none given)'
  }
  if (err.code === 'ECONNREFUSED') return 'connection refused: nothing listens there, or etcd is down'
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return 'the host name does not resolve'
  if (/wrong version number|packet length too long/i.test(text))
    return 'the endpoint does not speak TLS: use http:// or enable TLS on etcd'
  if (err instanceof CallTimeoutError)
    return progress.dialed ? 'no answer in time' : 'no answer in time (unreachable, or blocked by a firewall)'
  // With TLS 1.3 a rejected client certificate can reach us as a reset connection only.
  if (err.code === 'ECONNRESET' && progress.tls) {
    return 'the server dropped the TLS connection: it rejected the client certificate (cert/key not signed by the etcd CA, or none given)'
  }
  // TLS is up but what came back was not HTTP/2's opening.
  if (progress.secured) return NOT_GRPC
  return err.message
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
  return Buffer.concat([lengthField(1, name), lengthField(2, password)])
}

/** etcdserverpb.AuthenticateResponse { ResponseHeader header = 1; string token = 2; } */
function authToken(reply: Buffer): string {
  let fields
  try {
    fields = readFields(reply)
  } catch {
    throw new EtcdError('the member sent a malformed authentication reply')
  }
  const token = fields.find(f => f.n === 2 && f.wire === WIRE_LEN)
  if (!token || token.wire !== WIRE_LEN) throw new EtcdError('the member accepted the credentials but sent no token')
  return reply.toString('utf8', token.start, token.end)
}
