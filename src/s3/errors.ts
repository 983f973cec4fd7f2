/**
 * One-line messages for S3 failures, chosen from the SDK's error name, the S3 error code and the HTTP status (and a
 * Node socket error's code), never from message text, which differs between AWS and each S3-compatible store.
 */
import { ConfigurationError, errorMessage } from '../errors.js'

/** The object store refused or failed a request (not a mistake in the settings). */
export class S3Error extends Error {
  override name = 'S3Error'
}

/** What was being done, for the message: "upload of s3://bucket/key". */
export interface S3Operation {
  /** upload, download, abort, ... */
  verb: string
  bucket: string
  key?: string
  /** The endpoint, when not AWS. */
  endpoint?: string
}

interface Facts {
  name: string
  code: string
  status: number
  bucketRegion: string
}

/** What the SDK (or Node) tells about a failure, looking into causes and AggregateErrors too. */
function facts(e: unknown): Facts {
  const out: Facts = { name: '', code: '', status: 0, bucketRegion: '' }
  const seen = new Set<unknown>()
  const visit = (x: unknown): void => {
    if (x === null || typeof x !== 'object' || seen.has(x)) return
    seen.add(x)
    const o = x as {
      name?: unknown
      Code?: unknown
      code?: unknown
      $metadata?: { httpStatusCode?: unknown }
      $response?: { statusCode?: unknown; headers?: Record<string, unknown> }
      cause?: unknown
      errors?: unknown
    }
    if (!out.name && typeof o.name === 'string' && o.name !== 'Error') out.name = o.name
    if (!out.code && typeof o.Code === 'string') out.code = o.Code
    if (!out.code && typeof o.code === 'string') out.code = o.code
    const status = o.$metadata?.httpStatusCode ?? o.$response?.statusCode
    if (!out.status && typeof status === 'number') out.status = status
    const region = o.$response?.headers?.['x-amz-bucket-region']
    if (!out.bucketRegion && typeof region === 'string') out.bucketRegion = region
    visit(o.cause)
    if (Array.isArray(o.errors)) o.errors.forEach(visit)
  }
  visit(e)
  return out
}

const CREDENTIALS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
  'CredentialsProviderError'
])
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
  'RequestTimeout',
  'ERR_STREAM_PREMATURE_CLOSE'
])
const FULL = new Set([
  'XMinioStorageFull',
  'InsufficientStorage',
  'XMinioAdminNoSuchQuotaConfiguration',
  'QuotaExceeded'
])

/**
 * The error to throw for `e`, a failure of `op`: a ConfigurationError when the settings or the credentials are
 * what is wrong (the user fixes them), an S3Error otherwise. The message is one line naming the bucket and key.
 */
export function s3Failure(e: unknown, op: S3Operation): Error {
  if (e instanceof S3Error || e instanceof ConfigurationError) return e
  const f = facts(e)
  const what = `${op.verb} of s3://${op.bucket}/${op.key ?? ''}`
  const id = [f.name || f.code, f.status ? `HTTP ${f.status}` : ''].filter(Boolean).join(', ')
  const tag = id ? ` (${id})` : ''
  const where = op.endpoint ?? 'S3'
  const is = (...names: string[]): boolean => names.includes(f.name) || names.includes(f.code)

  if ([f.name, f.code].some(n => CREDENTIALS.has(n))) {
    return new ConfigurationError(
      `${what} failed: the credentials were refused${tag}; check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the role aws-actions/configure-aws-credentials assumed`
    )
  }
  if (
    is('AuthorizationHeaderMalformed', 'PermanentRedirect', 'IllegalLocationConstraintException') ||
    f.status === 301
  ) {
    const region = f.bucketRegion ? ` (the bucket is in ${f.bucketRegion})` : ''
    return new ConfigurationError(`${what} failed: wrong region${region}${tag}; set s3-region to the bucket's region`)
  }
  if (is('NoSuchBucket')) {
    return new ConfigurationError(
      `${what} failed: bucket ${op.bucket} does not exist at ${where}${tag}; create it or fix the URI`
    )
  }
  if (is('NoSuchKey', 'NoSuchVersion')) {
    return new ConfigurationError(
      `${what} failed: no such object${tag}; check the URI (list the prefix to see what is there)`
    )
  }
  if (is('NotFound') || f.status === 404) {
    return new ConfigurationError(`${what} failed: not found at ${where}${tag}; check the bucket and key in the URI`)
  }
  if (is('AccessDenied', 'AllAccessDisabled', 'Forbidden') || f.status === 403) {
    return new ConfigurationError(
      `${what} failed: access denied${tag}; grant the credentials s3:PutObject, s3:GetObject, s3:AbortMultipartUpload, s3:ListBucketMultipartUploads and s3:GetBucketObjectLockConfiguration on the bucket`
    )
  }
  if ([f.name, f.code].some(n => FULL.has(n)) || f.status === 507) {
    return new S3Error(
      `${what} failed: the store at ${where} is out of space${tag}; free space or raise the quota, then run again`
    )
  }
  if ([f.name, f.code].some(n => UNREACHABLE.has(n))) {
    return new S3Error(
      `${what} failed: ${where} could not be reached or dropped the connection${tag}; check s3-endpoint and that the store is up`
    )
  }
  if (is('BadDigest', 'InvalidDigest', 'XAmzContentChecksumMismatch', 'XAmzContentSHA256Mismatch')) {
    return new S3Error(
      `${what} failed: the store computed another checksum than we sent${tag}; the data changed in transit, run again`
    )
  }
  if (is('NotImplemented') || f.status === 501) {
    return new S3Error(
      `${what} failed: the store at ${where} does not implement a feature used (SHA-256 checksums, Object Lock or the storage class)${tag}`
    )
  }
  if (is('SlowDown') || f.status === 503) {
    return new S3Error(`${what} failed: the store is throttling or unavailable${tag}; run again later`)
  }
  if (f.status >= 500) return new S3Error(`${what} failed: the store had an internal error${tag}; run again`)
  const detail = errorMessage(e).split('\n')[0]?.slice(0, 200) ?? ''
  return new S3Error(`${what} failed${tag}: ${detail}`)
}
