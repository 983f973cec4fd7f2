/**
 * Test PKI shaped like kubeadm's /etc/kubernetes/pki/etcd: a CA, a server cert and a peer cert (both serverAuth +
 * clientAuth, SANs localhost/127.0.0.1), the healthcheck client cert, a CN-less client cert for the JSON gateway,
 * and an unrelated second CA with a client cert of its own for "wrong CA" / "rejected client" tests. Built with the openssl CLI; EC P-256 keys keep it fast.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Names of the files in a Pki; `pem(name)` reads one of them. */
export type PkiFile =
  | 'caCert'
  | 'caKey'
  | 'serverCert'
  | 'serverKey'
  | 'peerCert'
  | 'peerKey'
  | 'clientCert'
  | 'clientKey'
  | 'gatewayClientCert'
  | 'gatewayClientKey'
  | 'otherCaCert'
  | 'otherClientCert'
  | 'otherClientKey'

export type PkiPaths = Record<PkiFile, string>

export interface Pki extends PkiPaths {
  /** Directory holding every file below. */
  dir: string
  /** PEM text of one file (read fresh each call, so tests may overwrite a file and see the change). */
  pem(name: PkiFile): string
  /** PEM text of every file. */
  read(): Record<PkiFile, string>
}

/** CN of the client cert kubeadm gives etcd's health probe; also a plausible etcd user name under CN auth. */
export const HEALTHCHECK_CLIENT_CN = 'kube-etcd-healthcheck-client'
export const SERVER_CN = 'etcd-test-node'
/**
 * Subject of the client cert the test helpers use for the v3 JSON gateway. It has no CN on purpose: with
 * --client-cert-auth and auth enabled, etcd answers HTTP 400 "CommonName of client sending a request against gateway
 * will be ignored" to any gateway request whose client cert carries a CN (embed/serve.go).
 */
export const GATEWAY_CLIENT_SUBJECT = '/O=etcd-test-gateway'

const FILES: PkiPaths = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'server.crt',
  serverKey: 'server.key',
  peerCert: 'peer.crt',
  peerKey: 'peer.key',
  clientCert: 'healthcheck-client.crt',
  clientKey: 'healthcheck-client.key',
  gatewayClientCert: 'gateway-client.crt',
  gatewayClientKey: 'gateway-client.key',
  otherCaCert: 'other-ca.crt',
  otherClientCert: 'other-client.crt',
  otherClientKey: 'other-client.key'
}

// Our own config so the system openssl.cnf (which adds v3_ca to every -x509) cannot leak extensions into leaves.
const OPENSSL_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,keyEncipherment,keyCertSign
subjectKeyIdentifier = hash
[serving]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`

/** Runs openssl in cwd; rejects with its stderr. */
export function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd, timeout: 30_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`openssl ${args[0]} failed: ${String(stderr).trim() || err.message}`))
      else resolve()
    })
  })
}

// Explicit random serials: parallel signings with -CAcreateserial would race on the .srl file and could repeat one.
const serial = (): string => `0x${randomBytes(16).toString('hex')}`

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']

async function makeCa(dir: string, cert: string, key: string, cn: string): Promise<void> {
  await openssl(
    [
      'req',
      '-x509',
      '-config',
      'openssl.cnf',
      '-extensions',
      'ca',
      ...EC_KEY,
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      `/CN=${cn}`,
      '-days',
      '3650',
      '-sha256'
    ],
    dir
  )
}

async function makeLeaf(
  dir: string,
  ca: { cert: string; key: string },
  cert: string,
  key: string,
  subject: string,
  profile: 'serving' | 'client'
): Promise<void> {
  const csr = `${cert}.csr`
  await openssl(
    ['req', '-new', '-config', 'openssl.cnf', ...EC_KEY, '-keyout', key, '-out', csr, '-subj', subject],
    dir
  )
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-set_serial',
      serial(),
      '-out',
      cert,
      '-days',
      '365',
      '-sha256',
      '-extfile',
      'openssl.cnf',
      '-extensions',
      profile
    ],
    dir
  )
  rmSync(join(dir, csr), { force: true })
}

/** Create the PKI in `dir` (created if missing). Takes ~0.1 s. */
export async function makePki(dir: string): Promise<Pki> {
  await mkdir(dir, { recursive: true })
  writeFileSync(join(dir, 'openssl.cnf'), OPENSSL_CONFIG)
  const ca = { cert: FILES.caCert, key: FILES.caKey }
  const otherCa = { cert: FILES.otherCaCert, key: 'other-ca.key' }
  await Promise.all([makeCa(dir, ca.cert, ca.key, 'etcd-ca'), makeCa(dir, otherCa.cert, otherCa.key, 'other-etcd-ca')])
  await Promise.all([
    makeLeaf(dir, ca, FILES.serverCert, FILES.serverKey, `/CN=${SERVER_CN}`, 'serving'),
    makeLeaf(dir, ca, FILES.peerCert, FILES.peerKey, `/CN=${SERVER_CN}`, 'serving'),
    makeLeaf(dir, ca, FILES.clientCert, FILES.clientKey, `/CN=${HEALTHCHECK_CLIENT_CN}`, 'client'),
    makeLeaf(dir, ca, FILES.gatewayClientCert, FILES.gatewayClientKey, GATEWAY_CLIENT_SUBJECT, 'client'),
    makeLeaf(dir, otherCa, FILES.otherClientCert, FILES.otherClientKey, `/CN=${HEALTHCHECK_CLIENT_CN}`, 'client')
  ])
  const paths = Object.fromEntries(Object.entries(FILES).map(([k, f]) => [k, join(dir, f)])) as PkiPaths
  const pem = (name: PkiFile): string => readFileSync(paths[name], 'utf8')
  return {
    dir,
    ...paths,
    pem,
    read: () => Object.fromEntries(Object.keys(FILES).map(k => [k, pem(k as PkiFile)])) as Record<PkiFile, string>
  }
}

let shared: Promise<Pki> | undefined

/**
 * One PKI per test file (jest gives each file its own module registry), in a temp dir removed at process exit.
 * Tests that modify PKI files must use makePki instead.
 */
export function sharedPki(): Promise<Pki> {
  if (!shared) {
    const dir = mkdtempSync(join(tmpdir(), 'etcd-pki-'))
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
    shared = makePki(dir)
  }
  return shared
}
