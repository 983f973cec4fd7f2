/** A backup given as s3://bucket/key instead of a file: the flags that reach the store, and the download. */
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { formatBytes } from '../bytes.js'
import { ConfigurationError, errorMessage } from '../errors.js'
import { fetchS3Backup, parseS3Source, type S3Source } from '../restore/s3-source.js'
import type { FetchedBackup } from '../restore/source.js'
import { CreatedPaths, makePrivateDir } from '../tempfiles.js'
import { UsageError, type CliIO, type ParsedArgs } from './common.js'

export const S3_OPTIONS = {
  's3-endpoint': { type: 'string' },
  's3-region': { type: 'string' },
  's3-force-path-style': { type: 'boolean' },
  's3-version-id': { type: 'string' }
} as const

/** The usage lines of the S3 flags, their descriptions starting at column `width`. */
export function s3Usage(width: number): string[] {
  const flags: Array<[string, string]> = [
    ['--s3-endpoint URL', 'an S3-compatible store (https://host[:port]); default AWS S3'],
    ['--s3-region REGION', "the bucket's region (default AWS_REGION; us-east-1 with --s3-endpoint)"],
    ['--s3-force-path-style', 'address the bucket as URL/bucket (the default with --s3-endpoint)'],
    ['--s3-version-id ID', 'a version of the object other than the newest']
  ]
  return [
    "  <backup-file> may be s3://bucket/key (the backup action's s3-uri output); credentials from AWS_* variables:",
    ...flags.map(([flag, what]) => `  ${flag.padEnd(width - 2)}${what}`)
  ]
}

export const isS3Uri = (input: string): boolean => input.startsWith('s3://')

/** The S3 object `input` names, or undefined for a file; an --s3-* flag beside a file is a usage error. */
export function s3SourceFromArgs(input: string, parsed: ParsedArgs): S3Source | undefined {
  if (!isS3Uri(input)) {
    const stray = Object.keys(S3_OPTIONS).find(o => parsed.value(o) !== undefined || parsed.has(o))
    if (stray) throw new UsageError(`--${stray} applies only to an s3:// backup`)
    return undefined
  }
  try {
    return parseS3Source(
      {
        uri: input,
        endpoint: parsed.value('s3-endpoint'),
        region: parsed.value('s3-region'),
        forcePathStyle: parsed.has('s3-force-path-style') ? 'true' : undefined,
        versionId: parsed.value('s3-version-id')
      },
      'the S3 URI',
      '--s3-version-id'
    )
  } catch (e: unknown) {
    if (!(e instanceof ConfigurationError)) throw e
    throw new UsageError(errorMessage(e).replace(/^s3-(endpoint|region)\b/, '--s3-$1'))
  }
}

/**
 * Downloads the object into a new private dir in `parent` (recorded in `created`, so the caller's cleanup removes it),
 * and says so on stdout; warnings about its manifest go to stderr.
 */
export async function downloadS3Backup(
  source: S3Source,
  parent: string,
  created: CreatedPaths,
  io: CliIO
): Promise<FetchedBackup> {
  await fs.mkdir(parent, { recursive: true })
  const dir = await makePrivateDir(parent, '.etcd-snapshot-download-')
  created.add(dir)
  const got = await fetchS3Backup(source, dir, why => io.stderr.write(`warning: manifest.json ${why}\n`))
  const version = got.object.versionId ? ` (version ${got.object.versionId})` : ''
  io.stdout.write(
    `downloaded ${source.uri}${version}: ${formatBytes(got.object.size)}, sha256 ${got.object.sha256} (matches the store's checksum)${got.manifest ? ', with its manifest.json' : ''}\n`
  )
  return got
}

/** The name of the object's file: the last segment of its key. */
export const objectFileName = (uri: string): string => path.posix.basename(uri)
