/** The warning for an output-dir other users can write in, and its absence for a private one. */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { sharedOutputDirWarning } from '../../../src/action/output-dir.js'

const dir = mkdtempSync(join(tmpdir(), 'output-dir-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function withMode(name: string, mode: number): string {
  const d = mkdtempSync(join(dir, `${name}-`))
  chmodSync(d, mode)
  return d
}

describe('sharedOutputDirWarning', () => {
  it('says nothing for a dir only its owner can write', () => {
    expect(sharedOutputDirWarning(withMode('private', 0o700))).toBeUndefined()
    expect(sharedOutputDirWarning(withMode('readable', 0o755))).toBeUndefined()
  })

  it('warns that others can take the folder name in a sticky shared dir', () => {
    const d = withMode('sticky', 0o1777)
    expect(sharedOutputDirWarning(d)).toBe(
      `output-dir ${d} is writable by other users (mode 1777): they can take the backup folder name first; the backup is still written as a 0600 file in a new 0700 folder, but prefer a directory only the runner's user can write`
    )
  })

  it('warns that others can also remove the backup without the sticky bit, group-writable included', () => {
    const d = withMode('group', 0o770)
    expect(sharedOutputDirWarning(d)).toMatch(
      /\(mode 0770\): they can take the backup folder name first, and rename or delete the finished backup \(no sticky bit\);/
    )
  })
})
