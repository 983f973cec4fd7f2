import { readFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import * as tls from 'node:tls'
import type { EtcdAccess } from './client.js'

/** Said of a server that completes TLS and then answers HTTP/2's opening with something else. */
export const NOT_GRPC =
  "the endpoint completed the TLS handshake but does not speak etcd's gRPC (HTTP/2); is this etcd's client port?"

/** HTTP/2's client connection preface, then an empty SETTINGS frame: what a gRPC client sends first. */
const HTTP2_PREFACE = Buffer.concat([
  Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'),
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])
])
/** An HTTP/2 frame header's size; the server's first frame must be a SETTINGS frame on stream 0. */
const FRAME_HEADER = 9
const SETTINGS = 4

/**
 * etcdctl reports most TLS failures as "context deadline exceeded" (with TLS 1.3 a rejected client certificate
 * reaches grpc only as a closed connection), and so too a server that is not etcd at all. One connection of our own
 * with the same files names the real cause: the handshake, then HTTP/2's opening, which etcd answers with SETTINGS.
 * Resolves to a hint, or undefined when all of that succeeds, the server says nothing, or the failure is not about TLS.
 */
export async function diagnoseTls(
  endpoint: string,
  access: EtcdAccess,
  timeoutMs = 5_000
): Promise<string | undefined> {
  const url = new URL(endpoint)
  if (url.protocol !== 'https:') return undefined
  const [ca, cert, key] = await Promise.all(
    [access.cacertFile, access.certFile, access.keyFile].map(f => (f ? readFile(f) : Promise.resolve(undefined)))
  )
  return await new Promise<string | undefined>(resolve => {
    let settled = false
    const finish = (hint: string | undefined): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve(hint)
    }
    const socket = tls.connect({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port),
      servername: isIP(url.hostname.replace(/^\[|\]$/g, '')) ? undefined : url.hostname,
      ca,
      cert,
      key,
      ALPNProtocols: ['h2']
    })
    const timer = setTimeout(() => finish(undefined), timeoutMs)
    let head = Buffer.alloc(0)
    socket.on('secureConnect', () => {
      // A TLS 1.3 server checks the client certificate after the handshake and answers with an alert: wait for it,
      // or for etcd's SETTINGS.
      socket.write(HTTP2_PREFACE)
      setTimeout(() => finish(undefined), 1_000)
    })
    socket.on('data', (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]).subarray(0, FRAME_HEADER)
      if (head.length === FRAME_HEADER) finish(isSettingsFrame(head) ? undefined : NOT_GRPC)
    })
    socket.on('error', (err: NodeJS.ErrnoException) => finish(describeTlsError(err)))
    socket.on('close', () => finish(head.length ? NOT_GRPC : undefined))
  })
}

function isSettingsFrame(header: Buffer): boolean {
  return header[3] === SETTINGS && header.readUInt32BE(5) === 0 && header.readUIntBE(0, 3) % 6 === 0
}

function describeTlsError(err: NodeJS.ErrnoException): string | undefined {
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
  if (/certificate required|bad certificate|unknown ca|alert number 4[25]|alert number 116/i.test(text)) {
    return 'the server rejected the client certificate (cert/key not signed by the etcd CA, or none given)'
  }
  if (/ECONNREFUSED/.test(text)) return 'connection refused: nothing listens there, or etcd is down'
  if (/wrong version number|packet length too long/i.test(text))
    return 'the endpoint does not speak TLS: use http:// or enable TLS on etcd'
  return undefined
}
