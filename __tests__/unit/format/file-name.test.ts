/** The backup file's name says its layers; a restore picks the file out of an artifact by that shape. */
import { backupFileName, isBackupFileName, plaintextName } from '../../../src/format/file-name.js'

const age = { kind: 'age-passphrase', passphrase: 'x' } as const
const none = { kind: 'none' } as const

describe('backupFileName', () => {
  it('names the compression and the encryption, innermost first', () => {
    expect(backupFileName('nightly', 'zstd', age)).toBe('nightly.db.zst.age')
    expect(backupFileName('nightly', 'gzip', age)).toBe('nightly.db.gz.age')
    expect(backupFileName('nightly', 'none', age)).toBe('nightly.db.age')
    expect(backupFileName('nightly', 'zstd', none)).toBe('nightly.db.zst')
    expect(backupFileName('nightly', 'none', none)).toBe('nightly.db')
  })

  it('gives names the restore recognises, and the plaintext name back', () => {
    for (const compression of ['zstd', 'gzip', 'none'] as const) {
      for (const encryption of [age, none]) {
        const name = backupFileName('n', compression, encryption)
        expect(isBackupFileName(name)).toBe(true)
        expect(plaintextName(name)).toBe('n.db')
      }
    }
    expect(isBackupFileName('manifest.json')).toBe(false)
    expect(isBackupFileName('n.db.age.zst')).toBe(false)
  })
})
