/**
 * Typed errors. Library modules throw these; only the entry points turn them into `core.setFailed`
 * (action) or an exit code (CLI). Every message is one line that says what is wrong and how to fix it,
 * and never contains a secret.
 */

/** The user's configuration is wrong (an input, a file they pointed at, a missing tool). */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError'
}

/** etcd could not be reached or refused what we asked of it. */
export class EtcdError extends Error {
  override name = 'EtcdError'
}

/** The snapshot (or a backup file) is not sound; nothing built from it may be trusted. */
export class VerificationError extends Error {
  override name = 'VerificationError'
}

/** An age file or key could not be parsed, or decryption failed (wrong key, tampered data). */
export class AgeError extends Error {
  override name = 'AgeError'
}

/** The artifact service refused or failed the upload/download. */
export class ArtifactError extends Error {
  override name = 'ArtifactError'
}

/** A message for anything thrown, including non-Error values. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message
  if (typeof e === 'string') return e
  // An Error from another realm (a vm context, a worker) fails instanceof but still has its message.
  const message = (e as { message?: unknown } | null)?.message
  if (typeof message === 'string') return message
  try {
    return JSON.stringify(e) ?? String(e)
  } catch {
    return String(e)
  }
}

/** The backup file could not be written (disk full, permissions, a file in the way). */
export class OutputError extends Error {
  override name = 'OutputError'
}

/** A backup's manifest.json cannot be read; the message completes "manifest.json ...". */
export class ManifestError extends Error {
  override name = 'ManifestError'
}
