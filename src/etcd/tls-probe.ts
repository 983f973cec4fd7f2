import { readFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import * as tls from 'node:tls'
import type { EtcdAccess } from './client.js'

/**
 * etcdctl reports most TLS failures as "context deadline exceeded" (with TLS 1.3 a rejected client certificate
 * reaches grpc only as a closed connection). One handshake of our own with the same files names the real cause.
 * Resolves to a hint, or undefined when the handshake succeeds or the failure is not about TLS.
 */
export async function diagnoseTls(endpoint: string, access: EtcdAccess, timeoutMs = 5_000): Promise<string | undefined> {
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
    socket.on('secureConnect', () => {
      // A TLS 1.3 server checks the client certificate after the handshake and answers with an alert: wait for it.
      setTimeout(() => finish(undefined), 500)
    })
    socket.on('error', (err: NodeJS.ErrnoException) => finish(describeTlsError(err)))
    socket.on('close', () => finish(undefined))
  })
}

function describeTlsError(err: NodeJS.ErrnoException): string | undefined {
  const text = `${err.code ?? ''} ${err.message}`
  if (/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT/.test(text)) {
    return "the server's certificate is not signed by cacert (wrong CA?)"
  }
  if (/ERR_TLS_CERT_ALTNAME_INVALID/.test(text)) return "the server's certificate does not name this endpoint's host"
  if (/CERT_HAS_EXPIRED/.test(text)) return "the server's certificate has expired"
  if (/certificate required|bad certificate|unknown ca|alert number 4[25]|alert number 116/i.test(text)) {
    return 'the server rejected the client certificate (cert/key not signed by the etcd CA, or none given)'
  }
  if (/ECONNREFUSED/.test(text)) return 'connection refused: nothing listens there, or etcd is down'
  if (/wrong version number|packet length too long/i.test(text)) return 'the endpoint does not speak TLS: use http:// or enable TLS on etcd'
  return undefined
}
