/**
 * The offsite copy's settings: where in S3 (or an S3-compatible store) the backup goes, parsed from the plain
 * strings of the action's inputs into a typed S3Settings. Pure: no SDK, no environment, no I/O.
 */
import { ConfigurationError } from '../errors.js'

/** How to reach the store; what a download needs besides the object's URI. */
export interface S3Access {
  /** Endpoint URL of an S3-compatible store (MinIO, Ceph RGW, R2, B2); absent for AWS S3. */
  endpoint?: string
  /** Signing region; absent means the SDK's own (AWS_REGION, AWS_DEFAULT_REGION). */
  region?: string
  /** Address buckets as https://endpoint/bucket rather than https://bucket.endpoint. */
  forcePathStyle: boolean
}

export type ObjectLockMode = 'GOVERNANCE' | 'COMPLIANCE'

export interface ObjectLock {
  mode: ObjectLockMode
  /** Whole days from the upload until the retention ends. */
  days: number
}

export interface S3Settings extends S3Access {
  bucket: string
  /** Key prefix, empty or ending in '/'. */
  prefix: string
  /** Retention put on every object uploaded; absent: none. */
  objectLock?: ObjectLock
  /** x-amz-storage-class of every object uploaded; absent: the bucket's default. */
  storageClass?: string
}

/** The action's inputs as given (empty or absent = not set). */
export interface S3Inputs {
  /** s3-uri */
  uri?: string
  /** s3-endpoint */
  endpoint?: string
  /** s3-region */
  region?: string
  /** s3-force-path-style */
  forcePathStyle?: string
  /** s3-object-lock-mode */
  objectLockMode?: string
  /** s3-object-lock-days */
  objectLockDays?: string
  /** s3-storage-class */
  storageClass?: string
}

/** A bucket and a key (or key prefix), as an s3:// URI names them. */
export interface S3Location {
  bucket: string
  key: string
}

/** S3 keys are at most 1024 bytes of UTF-8. */
const MAX_KEY_BYTES = 1024
/** AWS allows a retention of up to 100 years. */
const MAX_LOCK_DAYS = 36500

/** Settings for the offsite copy, or undefined when s3-uri is empty (the copy is off). */
export function parseS3Settings(inputs: S3Inputs): S3Settings | undefined {
  const uri = (inputs.uri ?? '').trim()
  const others = ['endpoint', 'region', 'objectLockMode', 'objectLockDays', 'storageClass'] as const
  if (!uri) {
    const stray = others.find(k => (inputs[k] ?? '').trim() !== '')
    if (stray) throw new ConfigurationError(`${inputName(stray)} is set but s3-uri is empty: set s3-uri or remove it`)
    return undefined
  }
  const { bucket, key } = parseS3Uri(uri, 's3-uri')
  const prefix = key === '' || key.endsWith('/') ? key : `${key}/`
  const endpoint = parseEndpoint((inputs.endpoint ?? '').trim())
  const settings: S3Settings = {
    bucket,
    prefix,
    forcePathStyle: parseBoolean(inputs.forcePathStyle, 's3-force-path-style', endpoint !== undefined)
  }
  if (endpoint) settings.endpoint = endpoint
  const region = (inputs.region ?? '').trim()
  if (region) {
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(region)) {
      throw new ConfigurationError(`s3-region "${region}" is not a region name: use one such as eu-central-1 (or auto)`)
    }
    settings.region = region
  } else if (endpoint) {
    // S3-compatible stores sign with some region and most accept this one (MinIO's default, R2's alias).
    settings.region = 'us-east-1'
  }
  const lock = parseObjectLock(inputs.objectLockMode, inputs.objectLockDays)
  if (lock) settings.objectLock = lock
  const storageClass = (inputs.storageClass ?? '').trim()
  if (storageClass) {
    // Stores define their own classes (Ceph, MinIO), so only the shape is checked: AWS's are all like this.
    if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(storageClass)) {
      throw new ConfigurationError(
        `s3-storage-class "${storageClass}" is not a storage class: use one such as STANDARD_IA or GLACIER_IR (upper case)`
      )
    }
    settings.storageClass = storageClass
  }
  return settings
}

/**
 * The bucket and key of an s3://bucket/key URI; the key may be empty (a prefix). `input` names the input in
 * messages. Bucket names follow AWS's rules for general purpose buckets; keys may not hold `.` or `..` segments,
 * empty segments or control characters.
 */
export function parseS3Uri(uri: string, input = 'S3 URI'): S3Location {
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/s.exec(uri)
  if (!m) throw new ConfigurationError(`${input} "${printable(uri)}" is not an S3 URI: write it as s3://bucket/prefix/`)
  const bucket = m[1] ?? ''
  const key = (m[2] ?? '').replace(/^\/+/, '')
  checkBucket(bucket, input)
  checkKey(key, input)
  return { bucket, key }
}

/** s3://bucket/key */
export const formatS3Uri = (location: S3Location): string => `s3://${location.bucket}/${location.key}`

/** The key of `fileName` under `<prefix><artifactName>/`: where the offsite copy puts each file of a backup. */
export function backupKey(settings: Pick<S3Settings, 'prefix'>, artifactName: string, fileName: string): string {
  for (const [what, segment] of [
    ['artifact name', artifactName],
    ['file name', fileName]
  ] as const) {
    if (!segment || segment.includes('/') || segment === '.' || segment === '..') {
      throw new ConfigurationError(`the ${what} "${printable(segment)}" cannot be one segment of an S3 key`)
    }
  }
  const key = `${settings.prefix}${artifactName}/${fileName}`
  checkKey(key, 'the S3 key')
  return key
}

/** The URI of manifest.json beside the object `uri` names (the backup file's manifest). */
export function manifestUri(uri: string): string {
  const { bucket, key } = parseS3Uri(uri)
  const slash = key.lastIndexOf('/')
  return formatS3Uri({ bucket, key: `${key.slice(0, slash + 1)}manifest.json` })
}

function checkBucket(bucket: string, input: string): void {
  const fix = `write it as s3://bucket/prefix/ with a bucket name as AWS allows`
  let why: string | undefined
  if (bucket === '') why = 'has no bucket'
  else if (bucket.length < 3 || bucket.length > 63) why = 'has a bucket name that is not 3 to 63 characters long'
  else if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket)) {
    why = 'has a bucket name that is not lower-case letters, digits, dots and hyphens, starting and ending alphanumeric'
  } else if (bucket.includes('..')) why = 'has a bucket name with two dots in a row'
  else if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) why = 'has a bucket name formed like an IP address'
  else if (/^(xn--|sthree-|amzn-s3-demo-)|(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(bucket)) {
    why = 'has a bucket name with a prefix or suffix AWS reserves'
  }
  if (why) throw new ConfigurationError(`${input} ${why}: ${fix}`)
}

function checkKey(key: string, input: string): void {
  let why: string | undefined
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) why = 'has a control character in its key'
  else if (/[?#\\]/.test(key)) why = 'has ?, # or \\ in its key'
  else if (Buffer.byteLength(key) > MAX_KEY_BYTES - 200) why = 'has a key prefix too long for S3 (1024 bytes a key)'
  else {
    const segments = key.split('/')
    if (segments[segments.length - 1] === '') segments.pop()
    if (segments.some(s => s === '.' || s === '..')) why = 'has a "." or ".." segment in its key'
    else if (segments.some(s => s === '')) why = 'has an empty segment (//) in its key'
  }
  if (why) throw new ConfigurationError(`${input} "${printable(key)}" ${why}: remove it`)
}

function parseEndpoint(value: string): string | undefined {
  if (!value) return undefined
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigurationError(`s3-endpoint is not a URL: write it as https://host[:port]`)
  }
  // Never echo the value back: it might carry credentials.
  if (url.username || url.password) {
    throw new ConfigurationError(
      's3-endpoint must not hold credentials: pass them as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY'
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError(`s3-endpoint must start with https:// (or http://), not ${url.protocol}//`)
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new ConfigurationError(`s3-endpoint must be https://host[:port] only: put the bucket and prefix in s3-uri`)
  }
  return url.origin
}

function parseBoolean(value: string | undefined, input: string, fallback: boolean): boolean {
  const v = (value ?? '').trim().toLowerCase()
  if (v === '') return fallback
  if (v === 'true') return true
  if (v === 'false') return false
  throw new ConfigurationError(`${input} must be true or false, got "${printable(value ?? '')}"`)
}

function parseObjectLock(modeInput: string | undefined, daysInput: string | undefined): ObjectLock | undefined {
  const mode = (modeInput ?? '').trim().toUpperCase()
  const daysText = (daysInput ?? '').trim()
  if (!mode) {
    if (daysText)
      throw new ConfigurationError('s3-object-lock-days is set without s3-object-lock-mode: set both or neither')
    return undefined
  }
  if (mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') {
    throw new ConfigurationError(
      `s3-object-lock-mode must be GOVERNANCE or COMPLIANCE, got "${printable(modeInput ?? '')}"`
    )
  }
  if (!daysText)
    throw new ConfigurationError('s3-object-lock-mode is set without s3-object-lock-days: set how many days')
  const days = /^\d+$/.test(daysText) ? Number(daysText) : NaN
  if (!(Number.isSafeInteger(days) && days >= 1 && days <= MAX_LOCK_DAYS)) {
    throw new ConfigurationError(
      `s3-object-lock-days must be a whole number from 1 to ${MAX_LOCK_DAYS}, got "${printable(daysText)}"`
    )
  }
  return { mode, days }
}

const inputName = (field: keyof S3Inputs): string =>
  ({
    uri: 's3-uri',
    endpoint: 's3-endpoint',
    region: 's3-region',
    forcePathStyle: 's3-force-path-style',
    objectLockMode: 's3-object-lock-mode',
    objectLockDays: 's3-object-lock-days',
    storageClass: 's3-storage-class'
  })[field]

/** A value quoted in a one-line message: control characters escaped, long values cut. */
function printable(value: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = value.replace(/[\u0000-\u001f\u007f]/g, c => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  return escaped.length > 120 ? `${escaped.slice(0, 117)}...` : escaped
}
