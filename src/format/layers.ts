import type { AgeRecipient } from '../age/index.js'

/** The compression layer, inside the encryption layer. */
export type Compression = 'zstd' | 'gzip' | 'none'

/** The encryption layer, outermost: age to recipients, age with a passphrase, or none. */
export type Encryption =
  | { kind: 'age-recipients'; recipients: AgeRecipient[]; recipientStrings: string[] }
  | { kind: 'age-passphrase'; passphrase: string }
  | { kind: 'none' }

/** A layer around the snapshot, as the manifest names them and an unpack removes them. */
export type Layer = 'age' | 'zstd' | 'gzip'

/** The manifest's name for the encryption: who can open the file. */
export type EncryptionLabel = 'age-x25519' | 'age-scrypt' | 'none'

export function encryptionLabel(encryption: Encryption): EncryptionLabel {
  return encryption.kind === 'age-recipients'
    ? 'age-x25519'
    : encryption.kind === 'age-passphrase'
      ? 'age-scrypt'
      : 'none'
}

/** The order in which the file is built, innermost first, so a restore knows what to undo: snapshot, zstd/gzip, age. */
export function describeLayers(compression: Compression, encryption: Encryption): Array<'etcd-snapshot' | Layer> {
  const layers: Array<'etcd-snapshot' | Layer> = ['etcd-snapshot']
  if (compression !== 'none') layers.push(compression)
  if (encryption.kind !== 'none') layers.push('age')
  return layers
}
