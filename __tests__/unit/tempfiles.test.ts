/** Private files and dirs, cleanup of only what this run created, and files that take their final name only when whole. */
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { OutputError } from '../../src/errors.js'
import { createCheckedFile, CreatedPaths, makePrivateDir, removePath, writePrivateFile } from '../../src/tempfiles.js'

const dir = mkdtempSync(join(tmpdir(), 'tempfiles-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('makePrivateDir and writePrivateFile', () => {
  it('make a 0700 dir and a 0600 file', async () => {
    const priv = await makePrivateDir(dir, 'private-')
    expect(priv.startsWith(join(dir, 'private-'))).toBe(true)
    expect(statSync(priv).mode & 0o777).toBe(0o700)
    const file = join(priv, 'key.pem')
    await writePrivateFile(file, 'secret')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8')).toBe('secret')
  })

  it('never write into an existing file or through a symlink', async () => {
    const existing = join(dir, 'existing')
    writeFileSync(existing, 'theirs')
    await expect(writePrivateFile(existing, 'ours')).rejects.toThrow(/EEXIST/)
    expect(readFileSync(existing, 'utf8')).toBe('theirs')
    const link = join(dir, 'planted')
    symlinkSync(join(dir, 'elsewhere'), link)
    await expect(writePrivateFile(link, 'ours')).rejects.toThrow()
    expect(existsSync(join(dir, 'elsewhere'))).toBe(false)
  })
})

describe('removePath', () => {
  it('removes a tree, and a missing path is not an error', async () => {
    const tree = await makePrivateDir(dir)
    writeFileSync(join(tree, 'f'), 'x')
    await removePath(tree)
    expect(existsSync(tree)).toBe(false)
    await expect(removePath(tree)).resolves.toBeUndefined()
  })
})

describe('CreatedPaths', () => {
  it('removes what it recorded, newest first, except what was kept', async () => {
    const paths = new CreatedPaths()
    const parent = await makePrivateDir(dir)
    const child = join(parent, 'child')
    const kept = join(dir, 'kept')
    writeFileSync(child, 'x')
    writeFileSync(kept, 'x')
    paths.add(parent)
    paths.add(child)
    paths.add(kept)
    paths.keep(kept)
    expect(paths.list()).toEqual([parent, child])
    await paths.removeAll()
    expect(existsSync(parent)).toBe(false)
    expect(existsSync(kept)).toBe(true)
    expect(paths.list()).toEqual([])
  })

  it('removes synchronously too, for a signal handler', () => {
    const paths = new CreatedPaths()
    const file = join(dir, 'sync')
    writeFileSync(file, 'x')
    paths.add(file)
    paths.removeAllSync()
    expect(existsSync(file)).toBe(false)
  })
})

describe('createCheckedFile', () => {
  it('gives the final name only to a file that was made whole, and removes the staging dir', async () => {
    const final = join(dir, 'backup.age')
    const created: string[] = []
    const result = await createCheckedFile(
      final,
      async staged => {
        writeFileSync(staged, 'whole')
        return 42
      },
      { whenTaken: 'remove it', created: p => created.push(p) }
    )
    expect(result).toBe(42)
    expect(readFileSync(final, 'utf8')).toBe('whole')
    expect(created).toHaveLength(2)
    expect(created[1]).toBe(final)
    expect(readdirSync(dir).filter(n => n.startsWith('.backup.age.partial-'))).toEqual([])
  })

  it('leaves nothing when making the file fails', async () => {
    const final = join(dir, 'failed.age')
    await expect(
      createCheckedFile(
        final,
        async staged => {
          writeFileSync(staged, 'half')
          throw new Error('disk on fire')
        },
        { whenTaken: 'remove it' }
      )
    ).rejects.toThrow('disk on fire')
    expect(existsSync(final)).toBe(false)
    expect(readdirSync(dir).filter(n => n.startsWith('.failed.age.partial-'))).toEqual([])
  })

  it('refuses a final path that is taken, even by a dangling symlink, and does not touch it', async () => {
    const final = join(dir, 'taken.age')
    symlinkSync(join(dir, 'nowhere'), final)
    let ran = false
    const attempt = createCheckedFile(
      final,
      async () => {
        ran = true
      },
      { whenTaken: 'remove it or choose another output-dir' }
    )
    await expect(attempt).rejects.toThrow(
      new OutputError(`${final} already exists; remove it or choose another output-dir`)
    )
    expect(ran).toBe(false)
    expect(lstatSync(final).isSymbolicLink()).toBe(true)
  })
})
