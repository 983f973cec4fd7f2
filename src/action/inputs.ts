import * as core from '@actions/core'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { parseRecipients } from '../age/index.js'
import { ConfigurationError, errorMessage } from '../errors.js'
import { MAX_KEY_FILE_BYTES, parseBoolean, parseOutputDir, parseWholeNumber, readKeyFile } from '../input-values.js'
import { DEFAULT_ETCD_DOWNLOAD_URL } from '../etcd/install.js'
import type { PemSource, TlsSettings } from '../etcd/tls.js'
import type { Compression, Encryption } from '../format/layers.js'
import type { BackupSettings } from '../backup/settings.js'
import { parseS3Inputs } from './s3-inputs.js'
import { sharedOutputDirWarning } from './output-dir.js'

export type { BackupSettings }

/** The public input names, exactly as in action.yml. */
export enum Inputs {
  Endpoints = 'endpoints',
  CaCert = 'cacert',
  Cert = 'cert',
  Key = 'key',
  Username = 'username',
  Password = 'password',
  Etcdctl = 'etcdctl',
  Etcdutl = 'etcdutl',
  Recipients = 'recipients',
  Passphrase = 'passphrase',
  Encryption = 'encryption',
  Compression = 'compression',
  CompressionLevel = 'compression-level',
  ArtifactName = 'artifact-name',
  RetentionDays = 'retention-days',
  Upload = 'upload',
  OutputDir = 'output-dir',
  MinKeys = 'min-keys',
  RequiredKeys = 'required-keys',
  Timeout = 'timeout',
  RestoreDrill = 'restore-drill',
  Etcd = 'etcd',
  EtcdVersion = 'etcd-version',
  EtcdDownloadUrl = 'etcd-download-url',
  UploadTimeout = 'upload-timeout'
  // The s3-* inputs: S3Input in s3-inputs.ts.
}

/** Warnings about valid but risky choices: no encryption, an output-dir others can write to. */
export function choiceWarnings(settings: BackupSettings): string[] {
  const warnings: string[] = []
  if (settings.encryption.kind === 'none') {
    warnings.push(
      'encryption: none — the backup holds every Secret of the cluster in the clear; anyone who can download the artifact can read them'
    )
  }
  const shared = sharedOutputDirWarning(settings.outputDir)
  if (shared) warnings.push(shared)
  return warnings
}

/** Reads, validates and types every input in one place. Secrets are masked before anything else happens. */
export function getInputs(now: Date = new Date()): BackupSettings {
  const password = core.getInput(Inputs.Password)
  const passphrase = core.getInput(Inputs.Passphrase)
  maskSecret(password)
  if (password && password.length < SHORT_SECRET_LENGTH) {
    core.warning(
      `${Inputs.Password} is shorter than ${SHORT_SECRET_LENGTH} characters: it is masked like every secret, so every occurrence of those characters in later log lines shows as ***, and a password this short is easy to guess; use a long random etcd password`
    )
  }
  maskSecret(passphrase)
  for (const name of [Inputs.CaCert, Inputs.Cert, Inputs.Key]) {
    const value = core.getInput(name)
    // PEM text of a key, pasted into any of the three inputs, is a secret; a path to one is not.
    if (/PRIVATE KEY/.test(value)) maskSecret(value)
  }
  // An age identity pasted where recipients belong is refused below; mask it too, it is a private key.
  for (const identity of core.getInput(Inputs.Recipients).match(/AGE-SECRET-KEY-1[0-9A-Z]+/gi) ?? [])
    maskSecret(identity)

  const username = core.getInput(Inputs.Username)
  if (password && !username) {
    throw new ConfigurationError(`${Inputs.Password} is set but ${Inputs.Username} is empty: set both for etcd auth`)
  }
  if (username && /[:\s]/.test(username)) {
    throw new ConfigurationError(`${Inputs.Username} must not contain ':' or white space`)
  }

  const upload = parseBoolean(Inputs.Upload, core.getInput(Inputs.Upload), true)
  return {
    endpoints: parseEndpoints(core.getInput(Inputs.Endpoints)),
    tls: parseTls(),
    username: username || undefined,
    password: password || undefined,
    etcdctl: core.getInput(Inputs.Etcdctl) || 'etcdctl',
    etcdutl: core.getInput(Inputs.Etcdutl) || 'etcdutl',
    etcdutlExplicit: core.getInput(Inputs.Etcdutl) !== '',
    etcdctlExplicit: core.getInput(Inputs.Etcdctl) !== '',
    etcdVersion: parseEtcdVersion(core.getInput(Inputs.EtcdVersion)),
    etcdDownloadUrl: parseDownloadUrl(core.getInput(Inputs.EtcdDownloadUrl)),
    encryption: parseEncryption(
      core.getInput(Inputs.Encryption) || 'age',
      core.getInput(Inputs.Recipients),
      passphrase
    ),
    ...parseCompression(core.getInput(Inputs.Compression) || 'zstd', core.getInput(Inputs.CompressionLevel)),
    artifactName: parseArtifactName(core.getInput(Inputs.ArtifactName), now),
    retentionDays: parseRetentionDays(core.getInput(Inputs.RetentionDays)),
    upload,
    outputDir: parseOutputDir(Inputs.OutputDir, core.getInput(Inputs.OutputDir)),
    minKeys: parseWholeNumber(Inputs.MinKeys, core.getInput(Inputs.MinKeys) || '1', 0),
    requiredKeys: splitList(core.getInput(Inputs.RequiredKeys)),
    timeoutMs: parseDuration(Inputs.Timeout, core.getInput(Inputs.Timeout) || '10m'),
    restoreDrill: parseBoolean(Inputs.RestoreDrill, core.getInput(Inputs.RestoreDrill), false),
    etcd: core.getInput(Inputs.Etcd) || 'etcd',
    uploadTimeoutMs: parseDuration(Inputs.UploadTimeout, core.getInput(Inputs.UploadTimeout) || '1h'),
    s3: parseS3Inputs()
  }
}

/** `3.5.17` or `v3.5.17` (pre-releases like 3.6.0-rc.3 too) → `3.5.17`; empty means do not install. */
function parseEtcdVersion(value: string): string | undefined {
  const text = value.trim().replace(/^v/, '')
  if (!text) return undefined
  if (!/^3\.\d+\.\d+(-[0-9A-Za-z.]+)?$/.test(text)) {
    throw new ConfigurationError(
      `${Inputs.EtcdVersion} must be an etcd 3.x release such as 3.5.17, not '${value.trim()}'`
    )
  }
  return text
}

function parseDownloadUrl(value: string): string {
  const text = value.trim() || DEFAULT_ETCD_DOWNLOAD_URL
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new ConfigurationError(
      `${Inputs.EtcdDownloadUrl}: '${text}' is not a URL; give a base URL such as ${DEFAULT_ETCD_DOWNLOAD_URL}`
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError(
      `${Inputs.EtcdDownloadUrl} must be an https:// (or http://) URL, not ${url.protocol}//`
    )
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigurationError(
      `${Inputs.EtcdDownloadUrl} must be a plain base URL without credentials, query or fragment`
    )
  }
  return text.replace(/\/+$/, '')
}

/**
 * Masks a secret, and each line of a multi-line one: the runner matches masks line by line, so a PEM masked
 * only as a whole would still show its lines. Every secret is masked, however short: a secret that reaches a log
 * unmasked is worse than a log with some characters starred.
 */
export function maskSecret(value: string): void {
  if (!value) return
  core.setSecret(value)
  const lines = value.split(/\r?\n/).map(l => l.trim())
  if (lines.length > 1)
    for (const line of lines) if (line.length >= 8 && !line.startsWith('-----')) core.setSecret(line)
}

/** Below this length a password earns a warning: the runner's masking of it stars those characters everywhere. */
const SHORT_SECRET_LENGTH = 4

/** Splits a comma- or newline-separated list; blank entries and trailing commas are ignored. */
export function splitList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map(s => s.trim())
    .filter(s => s.length > 0)
}

export function parseEndpoints(value: string): string[] {
  const list = splitList(value || 'https://127.0.0.1:2379')
  const seen = new Set<string>()
  for (const entry of list) {
    let url: URL
    try {
      url = new URL(entry)
    } catch {
      throw new ConfigurationError(
        `${Inputs.Endpoints}: '${shownEndpoint(entry)}' is not a URL; write each as https://host:2379 (comma- or newline-separated)`
      )
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ConfigurationError(
        `${Inputs.Endpoints}: '${shownEndpoint(entry)}' uses ${url.protocol.replace(/:$/, '')}://; etcd client URLs are https:// or http://`
      )
    }
    if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username || url.password) {
      throw new ConfigurationError(
        `${Inputs.Endpoints}: '${shownEndpoint(entry)}' has a path, query or credentials; give only scheme://host:port (credentials go in username/password)`
      )
    }
    // URL drops a port that is the scheme's default (https://host:443 has port ''), so look at what was written.
    const port = url.port || (/:\d+\/?$/.test(entry) ? (url.protocol === 'https:' ? '443' : '80') : '')
    if (!port) {
      throw new ConfigurationError(
        `${Inputs.Endpoints}: '${shownEndpoint(entry)}' has no port; etcd's client port is usually 2379`
      )
    }
    seen.add(`${url.protocol}//${url.hostname}:${port}`)
  }
  // Probing an endpoint can take 15 s: a long list (a paste gone wrong) would run for an hour before failing.
  if (seen.size > MAX_ENDPOINTS) {
    throw new ConfigurationError(
      `${Inputs.Endpoints}: ${seen.size} endpoints given, at most ${MAX_ENDPOINTS}; list the client URLs of one cluster's members`
    )
  }
  return [...seen]
}

/** More endpoints than any etcd cluster has members (etcd advises at most 7). */
export const MAX_ENDPOINTS = 64

/** An endpoint as an error may echo it: any user:password@ and query (a token?) replaced by ***. */
function shownEndpoint(entry: string): string {
  return entry.replace(/^([^/@\s]*\/\/)?[^/@\s]*@/, '$1***@').replace(/\?.*$/, '?***')
}

function parseTls(): TlsSettings | undefined {
  const cacert = core.getInput(Inputs.CaCert)
  const cert = core.getInput(Inputs.Cert)
  const key = core.getInput(Inputs.Key)
  if (!cacert && !cert && !key) return undefined
  if (!!cert !== !!key) {
    throw new ConfigurationError(
      `${cert ? Inputs.Cert : Inputs.Key} is set but ${cert ? Inputs.Key : Inputs.Cert} is empty: a client certificate needs its key (or leave both empty)`
    )
  }
  return {
    cacert: cacert ? readPem(Inputs.CaCert, cacert, 'certificate') : undefined,
    cert: cert ? readPem(Inputs.Cert, cert, 'certificate') : undefined,
    key: key ? readPem(Inputs.Key, key, 'key') : undefined
  }
}

/** Accepts a path or PEM text, and checks that it holds what the input is for, without ever echoing it. */
function readPem(input: Inputs, value: string, expect: 'certificate' | 'key'): PemSource {
  const inline = value.trimStart().startsWith('-----BEGIN')
  let text: string
  if (inline) {
    text = value
  } else {
    try {
      text = readKeyFile(`${input}: file`, value.trim(), MAX_KEY_FILE_BYTES)
    } catch (e: unknown) {
      throw new ConfigurationError(
        `${errorMessage(e)}; give a readable path or the PEM text itself` +
          (input === Inputs.CaCert ? ', or set cacert, cert and key all empty for an etcd without TLS' : '')
      )
    }
  }
  const where = inline ? `${input} (PEM text)` : `${input} (${value.trim()})`
  if (expect === 'certificate') {
    if (!/-----BEGIN CERTIFICATE-----/.test(text)) {
      const holds = /PRIVATE KEY-----/.test(text) ? 'holds a private key' : 'holds no PEM certificate'
      throw new ConfigurationError(`${where} ${holds}; it must be a certificate (-----BEGIN CERTIFICATE-----)`)
    }
    let cert: X509Certificate
    try {
      cert = new X509Certificate(text)
    } catch {
      throw new ConfigurationError(`${where} is not a valid PEM certificate`)
    }
    if (input === Inputs.Cert && Date.parse(cert.validTo) < Date.now()) {
      throw new ConfigurationError(
        `${where} expired on ${cert.validTo}; renew it (kubeadm certs renew) or pass a valid one`
      )
    }
  } else {
    if (!/PRIVATE KEY-----/.test(text)) {
      throw new ConfigurationError(`${where} holds no PEM private key; it must be the key that matches ${Inputs.Cert}`)
    }
    if (/ENCRYPTED/.test(text)) {
      throw new ConfigurationError(`${where} is passphrase-protected; etcdctl needs an unencrypted key`)
    }
    try {
      createPrivateKey(text)
    } catch {
      throw new ConfigurationError(`${where} is not a valid PEM private key`)
    }
  }
  return inline ? { kind: 'text', pem: text } : { kind: 'file', path: value.trim() }
}

function parseEncryption(mode: string, recipientsInput: string, passphrase: string): Encryption {
  const recipientStrings = splitList(recipientsInput)
  if (mode === 'none') {
    if (recipientStrings.length || passphrase) {
      throw new ConfigurationError(
        `${Inputs.Encryption} is none but recipients or a passphrase is set: remove them, or use encryption: age`
      )
    }
    return { kind: 'none' }
  }
  if (mode !== 'age') {
    throw new ConfigurationError(`${Inputs.Encryption} must be 'age' or 'none', not '${mode}'`)
  }
  if (recipientStrings.length && passphrase) {
    throw new ConfigurationError(`set either ${Inputs.Recipients} or ${Inputs.Passphrase}, not both`)
  }
  if (passphrase) {
    if (passphrase.length < 8) {
      throw new ConfigurationError(
        `${Inputs.Passphrase} is shorter than 8 characters; use a long random passphrase (or recipients)`
      )
    }
    return { kind: 'age-passphrase', passphrase }
  }
  if (!recipientStrings.length) {
    throw new ConfigurationError(
      `encryption is age but neither ${Inputs.Recipients} nor ${Inputs.Passphrase} is set: add an age recipient (age1…, from age-keygen) or a passphrase secret, or set encryption: none`
    )
  }
  try {
    return { kind: 'age-recipients', recipients: parseRecipients(recipientStrings), recipientStrings }
  } catch (e: unknown) {
    throw new ConfigurationError(`${Inputs.Recipients}: ${errorMessage(e)}`)
  }
}

function parseCompression(value: string, levelInput: string): { compression: Compression; compressionLevel: number } {
  if (value !== 'zstd' && value !== 'gzip' && value !== 'none') {
    throw new ConfigurationError(`${Inputs.Compression} must be zstd, gzip or none, not '${value}'`)
  }
  const [defaultLevel, min, max] = value === 'zstd' ? [3, 1, 19] : value === 'gzip' ? [6, 1, 9] : [0, 0, 0]
  if (value === 'none') {
    if (levelInput) throw new ConfigurationError(`${Inputs.CompressionLevel} is set but ${Inputs.Compression} is none`)
    return { compression: value, compressionLevel: 0 }
  }
  const level = levelInput ? parseWholeNumber(Inputs.CompressionLevel, levelInput, min, max) : defaultLevel
  return { compression: value, compressionLevel: level }
}

/** Characters the artifact service rejects in names (the same set @actions/artifact checks), plus the path separator. */
const FORBIDDEN_NAME_CHARS = ['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/']

export function parseArtifactName(value: string, now: Date): string {
  const name =
    value.trim() ||
    `etcd-snapshot-${now
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')}`
  const bad = FORBIDDEN_NAME_CHARS.filter(c => name.includes(c))
  if (bad.length) {
    const shown = bad.map(c => JSON.stringify(c)).join(' ')
    throw new ConfigurationError(
      `${Inputs.ArtifactName} '${name.replace(/[\r\n]/g, ' ')}' contains ${shown}, which the artifact service rejects; use letters, digits, '-', '_' and '.'`
    )
  }
  if (name === '.' || name === '..' || name.length > 200) {
    throw new ConfigurationError(`${Inputs.ArtifactName} must be a plain file name of at most 200 characters`)
  }
  return name
}

function parseRetentionDays(value: string): number | undefined {
  if (!value.trim()) return undefined
  return parseWholeNumber(Inputs.RetentionDays, value, 1, 90)
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * The longest limit a duration input yields: 24 days. Node cannot arm a timer beyond 2^31-1 ms (24.8 days); a longer
 * one fires at once. The margin below that leaves room for the seconds callers add to a limit for their own timers
 * (a dial, a grace period). No job runs this long: GitHub stops a job after 6 hours, or 5 days on a self-hosted runner.
 */
export const MAX_DURATION_MS = 24 * 24 * 3_600_000

/** Go-style durations (`90s`, `10m`, `1h30m`); a bare number is seconds. Longer than MAX_DURATION_MS means that. */
export function parseDuration(input: Inputs, value: string): number {
  const text = value.trim()
  let ms: number
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000
  } else {
    const parts = [...text.matchAll(/(\d+)(ms|s|m|h)/g)]
    if (!parts.length || parts.map(p => p[0]).join('') !== text) {
      throw new ConfigurationError(`${input} must be a duration such as 90s, 10m or 1h30m, not '${text}'`)
    }
    ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2] as string]!, 0)
  }
  if (ms <= 0) throw new ConfigurationError(`${input} must be longer than zero`)
  return Math.min(ms, MAX_DURATION_MS)
}
