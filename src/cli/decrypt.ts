/**
 * `etcd-snapshot decrypt`: turns a downloaded backup file back into a plain etcd snapshot (decrypts, decompresses,
 * recognising each layer from the bytes) and checks the result with the native verifier.
 */
import * as path from 'node:path'
import { DEFAULT_MAX_WORK_FACTOR } from '../age/index.js'
import { formatBytes } from '../bytes.js'
import { plaintextName } from '../format/file-name.js'
import type { UnpackKey } from '../pipeline/unpack.js'
import { restoreBackup } from '../restore/flow.js'
import {
  EXIT_FAILURE,
  EXIT_OK,
  argumentFailure,
  failureLine,
  KEY_OPTIONS,
  loadKey,
  parseCommandArgs,
  requireFile,
  UsageError,
  type CliIO
} from './common.js'
import { downloadS3Backup, objectFileName, S3_OPTIONS, s3SourceFromArgs, s3Usage } from './s3.js'
import { cleanUpOnCancel } from '../cancel.js'
import type { S3Source } from '../restore/s3-source.js'
import { CreatedPaths } from '../tempfiles.js'

export const decryptUsage = [
  'etcd-snapshot decrypt <backup-file> (--identity FILE | --passphrase-file FILE) [-o OUT.db]',
  '',
  '  --identity FILE         age identity file (AGE-SECRET-KEY-1..., from age-keygen); repeatable',
  '  --passphrase-file FILE  file whose first line is the passphrase of a passphrase-encrypted backup',
  `  --max-work-factor N     the highest scrypt work factor a passphrase file may use (default ${DEFAULT_MAX_WORK_FACTOR})`,
  '  -o, --output OUT.db     where to write the snapshot (0600, must not exist); default: next to the backup file,',
  '                          its name without .age/.zst/.gz (for an s3:// backup: in the current directory)',
  ...s3Usage(26),
  '',
  'Layers are recognised from the file itself (age, zstd, gzip, or a plain snapshot). The snapshot is written and',
  'verified under a temporary name beside OUT.db and takes that name only once it is sound: nothing is left behind',
  'on a wrong key, a tampered or truncated file, corrupt compression or a snapshot that fails verification.',
  'Exit status: 0 a valid snapshot was written, 1 failure, 2 usage error.'
].join('\n')

export const decryptCommand = {
  summary: 'decrypt and decompress a backup file into a plain etcd snapshot, and verify it',
  usage: decryptUsage,
  run: decrypt
}

export async function decrypt(args: string[], io: CliIO): Promise<number> {
  let input: string
  let output: string
  let key: UnpackKey | undefined
  let s3: S3Source | undefined
  try {
    const parsed = parseCommandArgs(args, { ...KEY_OPTIONS, output: { type: 'string', short: 'o' }, ...S3_OPTIONS })
    if (parsed.positionals.length !== 1) {
      throw new UsageError(
        parsed.positionals.length
          ? `expected one backup file, got ${parsed.positionals.length}`
          : 'missing the backup file'
      )
    }
    input = parsed.positionals[0]!
    s3 = s3SourceFromArgs(input, parsed)
    if (!s3) requireFile('backup file', input)
    output =
      parsed.value('output') ??
      (s3 ? plaintextName(objectFileName(input)) : path.join(path.dirname(input), plaintextName(path.basename(input))))
    if (!s3 && path.resolve(output) === path.resolve(input))
      throw new UsageError(`${input} would be its own output; give -o OUT.db`)
    key = loadKey(parsed)
  } catch (e: unknown) {
    return argumentFailure('decrypt', decryptUsage, e, io)
  }

  // The download of an s3:// backup, in a private dir beside the output; removed whatever happens.
  const created = new CreatedPaths()
  const stopListening = s3
    ? cleanUpOnCancel(created, signal => io.stderr.write(`etcd-snapshot decrypt: interrupted (${signal})\n`), 130)
    : undefined
  try {
    // The plaintext takes its name only once it is verified: a bad one is never left where a restore would find it.
    const name = s3 ? objectFileName(input) : path.basename(input)
    const backup = s3
      ? await downloadS3Backup(s3, path.dirname(path.resolve(output)), created, io)
      : { backupFile: input }
    const { report } = await restoreBackup({
      backup,
      key,
      output: { path: output, whenTaken: 'remove it or choose another output path with -o' },
      unsound: `${name} does not hold a sound etcd snapshot, nothing was written`,
      report: {
        unpacked: unpacked => {
          const layers = unpacked.layers.join(' + ') || 'no layers: a plain snapshot, copied'
          io.stdout.write(`decrypted ${name} (${layers}), ${formatBytes(unpacked.outputSize)}; verifying it\n`)
          if (key && !unpacked.layers.includes('age'))
            io.stderr.write(`warning: ${name} was not encrypted; the key was not needed\n`)
        }
      }
    })
    io.stdout.write(`wrote ${output}\n`)
    io.stdout.write(
      `valid etcd snapshot: revision ${report.status.revision}, ${report.liveKeys} live keys, sha256 ${report.sha256}\n`
    )
    return EXIT_OK
  } catch (e: unknown) {
    io.stderr.write(failureLine('decrypt', e))
    return EXIT_FAILURE
  } finally {
    await created.removeAll()
    stopListening?.()
  }
}
