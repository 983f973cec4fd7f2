import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, promises as fs, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FollowedFile } from '../src/pipeline/follow.js'

let dir: string
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'follow-test-'))))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Writes `data` to `<final>.part` in uneven pieces with pauses, fsyncs, then renames it — as etcdctl does. */
async function slowWriter(final: string, data: Buffer, fail?: Error): Promise<void> {
  await new Promise(r => setTimeout(r, 30)) // the reader starts before the file exists
  const handle = await fs.open(`${final}.part`, 'w', 0o600)
  let offset = 0
  let piece = 1
  while (offset < data.length) {
    const n = Math.min(data.length - offset, piece * 7919)
    await handle.write(data, offset, n)
    offset += n
    piece = (piece * 3) % 97 || 1
    if (piece % 5 === 0) await new Promise(r => setTimeout(r, 2))
    if (fail && offset > data.length / 2) {
      await handle.close()
      throw fail
    }
  }
  await handle.sync()
  await handle.close()
  await fs.rename(`${final}.part`, final)
}

async function drain(stream: FollowedFile): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

describe('FollowedFile', () => {
  it('reads every byte of a file while it is written, renamed and finished', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 12345)
    const final = join(dir, 'a.db')
    const writing = slowWriter(final, data)
    const read = await drain(new FollowedFile({ growing: `${final}.part`, final }, writing))
    expect(read.length).toBe(data.length)
    expect(createHash('sha256').update(read).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'))
  })

  it('fails with the writer error when the writer fails, even after part of the data', async () => {
    const final = join(dir, 'b.db')
    const writing = slowWriter(final, randomBytes(2 * 1024 * 1024), new Error('etcd went away'))
    await expect(drain(new FollowedFile({ growing: `${final}.part`, final }, writing))).rejects.toThrow('etcd went away')
  })

  it('reads a file that was already complete and renamed before it started', async () => {
    const data = randomBytes(100_000)
    const final = join(dir, 'c.db')
    await fs.writeFile(final, data)
    const read = await drain(new FollowedFile({ growing: `${final}.part`, final }, Promise.resolve()))
    expect(read.equals(data)).toBe(true)
  })

  it('fails clearly when the writer reports success but no file exists', async () => {
    const final = join(dir, 'missing.db')
    await expect(drain(new FollowedFile({ growing: `${final}.part`, final }, Promise.resolve()))).rejects.toThrow(/missing after the save/)
  })
})
