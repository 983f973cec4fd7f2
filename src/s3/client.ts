/**
 * The S3 client, loaded on first use (dynamic import) so a run without the offsite copy does not load the SDK.
 *
 * Checksums: since 3.729 the SDK adds a CRC32 to every upload by default, which some S3-compatible stores reject
 * (aws/aws-sdk-js-v3#6810: R2, B2 and older MinIO and Ceph answer NotImplemented or a signature mismatch). The client
 * is set to WHEN_REQUIRED for requests and responses, and every upload asks for SHA-256 explicitly
 * (ChecksumAlgorithm SHA256, which the SDK computes per request and the store verifies); downloads check the
 * SHA-256 themselves (download.ts), so the result does not depend on which checksum the SDK defaults to.
 *
 * A request that carries x-amz-checksum-sha256 is signed with UNSIGNED-PAYLOAD instead of a second SHA-256 of the
 * same body: the checksum header is signed, and the store refuses a body that does not match it, so the signature
 * still covers the bytes. That saves one SHA-256 pass over every part here and one in the store.
 */
import type { S3Client } from '@aws-sdk/client-s3'
import { ConfigurationError } from '../errors.js'
import type { S3Access } from './settings.js'

/** Explicit credentials; without them the SDK's default chain (AWS_* variables, web identity, profiles) is used. */
export interface S3Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export interface S3ClientOptions {
  credentials?: S3Credentials
  /** Attempts per request (retries on throttling, 5xx and dropped connections); default 3. */
  maxAttempts?: number
}

export type S3Sdk = typeof import('@aws-sdk/client-s3')

export interface LoadedS3 {
  sdk: S3Sdk
  client: S3Client
}

/** Loads the SDK and makes a client for `access`. */
export async function s3Client(access: S3Access, options: S3ClientOptions = {}): Promise<LoadedS3> {
  if (!access.region && !process.env['AWS_REGION'] && !process.env['AWS_DEFAULT_REGION']) {
    throw new ConfigurationError(
      'no region for S3: set s3-region (or AWS_REGION, as aws-actions/configure-aws-credentials does)'
    )
  }
  const sdk = await import('@aws-sdk/client-s3')
  const client = new sdk.S3Client({
    ...(access.endpoint ? { endpoint: access.endpoint } : {}),
    ...(access.region ? { region: access.region } : {}),
    forcePathStyle: access.forcePathStyle,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: options.maxAttempts ?? 3,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A store that stops answering fails the request instead of hanging the job.
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 300_000 }
  })
  type Middleware = Parameters<typeof client.middlewareStack.addRelativeTo>[0]
  const unsignedWhenChecksummed = ((next: (args: { request: unknown }) => Promise<unknown>) =>
    async (args: { request: unknown }) => {
      const headers = (args.request as { headers?: Record<string, string> } | null)?.headers
      if (headers?.['x-amz-checksum-sha256'] && !headers['x-amz-content-sha256']) {
        headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD'
      }
      return next(args)
    }) as unknown as Middleware
  client.middlewareStack.addRelativeTo(unsignedWhenChecksummed, {
    relation: 'before',
    toMiddleware: 'httpSigningMiddleware',
    name: 'unsignedPayloadWhenChecksummed',
    override: true
  })
  return { sdk, client }
}
