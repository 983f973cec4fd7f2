/**
 * What the restore flow starts from: a backup file on this machine and the facts its manifest recorded. Front ends
 * fetch it: the restore action downloads a workflow artifact (action/artifact.ts, the only user of @actions/artifact)
 * and picks the file out of it here; an S3 object and the manifest.json beside it are fetched into a private dir the
 * same way (s3-source.ts) and handed over as the same FetchedBackup.
 */
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { ConfigurationError, ManifestError, VerificationError } from '../errors.js'
import { isBackupFileName, MANIFEST_FILE } from '../format/file-name.js'
import { parseManifest, type RecordedFacts } from '../format/manifest.js'

export interface FetchedBackup {
  /** The backup file: age-encrypted, zstd or gzip compressed, or a plain snapshot. */
  backupFile: string
  /** What the backup's manifest recorded, when there is one: the file and the snapshot must match it. */
  recorded?: RecordedFacts
}

/**
 * The facts a manifest file records. One that cannot be read is not a reason to refuse the backup, whose snapshot is
 * verified anyway: `warn` hears why (completing "manifest.json ...") and nothing is recorded.
 */
export async function readRecordedFacts(
  manifestFile: string,
  warn: (why: string) => void
): Promise<RecordedFacts | undefined> {
  try {
    return parseManifest(await fs.readFile(manifestFile, 'utf8'))
  } catch (e: unknown) {
    if (!(e instanceof ManifestError)) throw e
    warn(e.message)
    return undefined
  }
}

/**
 * The backup file in a downloaded artifact: the one the manifest names, else the only file that is not the manifest.
 * The backup action puts both at the artifact's top level; only a manifest.json there counts, and an artifact that
 * holds another one anywhere is refused rather than guessing which one describes the backup.
 */
export async function pickBackupFile(
  files: string[],
  root: string,
  warn: (why: string) => void
): Promise<FetchedBackup> {
  const manifests = files.filter(f => path.basename(f) === MANIFEST_FILE)
  const manifestFile = manifests.find(f => path.resolve(f) === path.resolve(root, MANIFEST_FILE))
  if (manifests.length > (manifestFile ? 1 : 0)) {
    const listed = manifests.map(f => path.relative(root, f)).join(', ')
    throw new VerificationError(
      `the artifact holds ${manifests.length === 1 ? 'a manifest.json below its top level' : `${manifests.length} manifest.json files`} (${listed}); a backup made by etcd-snapshot-action has one, at the top: use the artifact the backup step uploaded`
    )
  }
  const recorded = manifestFile ? await readRecordedFacts(manifestFile, warn) : undefined
  const candidates = files.filter(f => f !== manifestFile)
  const named = recorded?.fileName ? candidates.find(f => path.basename(f) === recorded.fileName) : undefined
  if (named) return { backupFile: named, recorded }
  const backups = candidates.filter(f => isBackupFileName(f))
  const pick = candidates.length === 1 ? candidates : backups
  if (pick.length !== 1) {
    const listed =
      candidates
        .map(f => path.basename(f))
        .slice(0, 5)
        .join(', ') || 'nothing'
    throw new ConfigurationError(
      `the artifact holds ${listed}; expected one backup file (<name>.db[.zst|.gz][.age]) made by etcd-snapshot-action`
    )
  }
  return { backupFile: pick[0]!, recorded }
}
