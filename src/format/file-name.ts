/**
 * The backup file's name, which says its layers: `<artifact-name>.db[.zst|.gz][.age]`, with manifest.json beside it.
 * The name is a hint for people and for picking the file out of an artifact; an unpack reads the layers from the bytes.
 */
import type { Compression, Encryption } from './layers.js'

/** The manifest's name, at the top of the backup's folder and artifact. */
export const MANIFEST_FILE = 'manifest.json'

const COMPRESSION_EXTENSION: Record<Compression, string> = { zstd: '.zst', gzip: '.gz', none: '' }

/** `<artifactName>.db` plus `.zst`/`.gz` for the compression and `.age` when encrypted. */
export function backupFileName(artifactName: string, compression: Compression, encryption: Encryption): string {
  return `${artifactName}.db${COMPRESSION_EXTENSION[compression]}${encryption.kind === 'none' ? '' : '.age'}`
}

/** Whether a name has the shape backupFileName gives (`.db`, `.db.zst.age`, ...). */
export function isBackupFileName(name: string): boolean {
  return /\.db(\.zst|\.gz)?(\.age)?$/.test(name)
}

/** The snapshot's file name for a backup file's: `x.db.zst.age` → `x.db`. */
export function plaintextName(fileName: string): string {
  const base = fileName.replace(/\.age$/, '').replace(/\.(zst|gz)$/, '')
  return base.endsWith('.db') ? base : `${base}.db`
}
