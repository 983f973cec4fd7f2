/**
 * src/action/artifact.ts through the real @actions/artifact client (and its Azure SDK and Octokit underneath) against the
 * local artifact service emulator (the emulator's own protocol is tested in unit/harness/artifact-service.test.ts).
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import { ArtifactError, ConfigurationError } from '../../../src/errors.js'
import { startArtifactService } from '../../harness/artifact-service.js'

const service = await startArtifactService()
// @actions/github fixes its REST base URL when it is first imported, so GITHUB_API_URL must point at the emulator
// before src/action/artifact.js (and with it @actions/artifact) loads. Everything else the client reads at call time.
process.env['GITHUB_API_URL'] = service.apiUrl
const { uploadBackup, downloadBackup } = await import('../../../src/action/artifact.js')

const originalEnv = { ...process.env }
const workDir = mkdtempSync(path.join(os.tmpdir(), 'artifact-test-'))
const backupFile = path.join(workDir, 'etcd-snapshot-20250101T000000Z.db.zst.age')
const manifestFile = path.join(workDir, 'manifest.json')
const backupBytes = randomBytes(20 * 1024 * 1024)
const manifestBytes = Buffer.from(JSON.stringify({ revision: 42, totalKey: 7, format: 'zstd+age' }, null, 2))
writeFileSync(backupFile, backupBytes)
writeFileSync(manifestFile, manifestBytes)

function useEnv(env: Record<string, string>): void {
  Object.assign(process.env, env)
}

function newDir(): string {
  return mkdtempSync(path.join(workDir, 'download-'))
}

function operations(name: string): number[] {
  return service.requests.filter(r => r.operation === name).map(r => r.status)
}

beforeEach(() => {
  service.requests.length = 0
  useEnv(service.env)
})

afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in originalEnv)) delete process.env[key]
  Object.assign(process.env, originalEnv)
})

afterAll(async () => {
  await service.stop()
  rmSync(workDir, { recursive: true, force: true })
})

describe('upload and download through the real client', () => {
  let uploaded: Awaited<ReturnType<typeof uploadBackup>>

  beforeAll(async () => {
    useEnv(service.env)
    uploaded = await uploadBackup({
      name: 'etcd-snapshot-roundtrip',
      files: [backupFile, manifestFile],
      rootDirectory: workDir,
      retentionDays: 3
    })
  })

  test('stores a zip whose entries are the files, byte for byte, uncompressed', () => {
    const [stored] = service.artifacts().filter(a => a.name === 'etcd-snapshot-roundtrip')
    expect(stored).toBeDefined()
    if (!stored) return
    const entries = service.readZipEntries(stored.id)
    expect([...entries.keys()].sort()).toEqual(['etcd-snapshot-20250101T000000Z.db.zst.age', 'manifest.json'])
    expect(entries.get('etcd-snapshot-20250101T000000Z.db.zst.age')?.equals(backupBytes)).toBe(true)
    expect(entries.get('manifest.json')?.equals(manifestBytes)).toBe(true)
    // compressionLevel 0 stores entries: the zip is the data plus headers, where deflate would add ~6 KB to 20 MB of
    // random bytes and shrink the manifest.
    expect(stored.zip.length - backupBytes.length - manifestBytes.length).toBeLessThan(1024)
    expect(stored.contentType).toBe('application/zip')
  })

  test('passes the retention through and returns id, size, digest and the run URL', () => {
    const [stored] = service.artifacts().filter(a => a.name === 'etcd-snapshot-roundtrip')
    if (!stored) throw new Error('artifact missing')
    expect(stored.retentionRequested).toBe(true)
    expect(stored.retentionDays).toBe(3)
    expect(uploaded.id).toBe(stored.id)
    expect(uploaded.size).toBe(stored.zip.length)
    expect(stored.size).toBe(stored.zip.length)
    const sha256 = createHash('sha256').update(stored.zip).digest('hex')
    expect(uploaded.digest).toBe(sha256)
    expect(stored.digest).toBe(`sha256:${sha256}`)
    expect(uploaded.url).toBe(
      `https://github.com/example-org/cluster-backups/actions/runs/${service.runId}/artifacts/${stored.id}`
    )
  })

  test('downloads by name and by id, byte for byte', async () => {
    for (const selector of [{ name: 'etcd-snapshot-roundtrip' }, { id: uploaded.id }]) {
      const dir = newDir()
      const result = await downloadBackup({ ...selector, path: dir })
      expect(result.id).toBe(uploaded.id)
      expect(result.path).toBe(dir)
      expect(result.files).toEqual([path.join(dir, path.basename(backupFile)), path.join(dir, 'manifest.json')])
      expect(readFileSync(path.join(dir, path.basename(backupFile))).equals(backupBytes)).toBe(true)
      expect(readFileSync(path.join(dir, 'manifest.json')).equals(manifestBytes)).toBe(true)
    }
    expect(operations('GetSignedArtifactURL')).toEqual([200, 200])
    expect(operations('GetBlob')).toEqual([200, 200])
  })

  test('another job of the same run downloads it by name', async () => {
    useEnv(service.newJobEnv())
    const dir = newDir()
    await downloadBackup({ name: 'etcd-snapshot-roundtrip', path: dir })
    expect(readFileSync(path.join(dir, path.basename(backupFile))).equals(backupBytes)).toBe(true)
  })

  test('a job of another run downloads it through the REST API with run-id and a token', async () => {
    useEnv(service.newRunEnv())
    for (const selector of [{ name: 'etcd-snapshot-roundtrip' }, { id: uploaded.id }]) {
      const dir = newDir()
      const result = await downloadBackup({ ...selector, runId: service.runId, token: service.githubToken, path: dir })
      expect(result.id).toBe(uploaded.id)
      expect(readFileSync(path.join(dir, path.basename(backupFile))).equals(backupBytes)).toBe(true)
    }
    // The other run's own artifact service knows nothing of it: only REST and the blob were used.
    expect(operations('ListArtifacts')).toEqual([])
    expect(operations('ListRunArtifacts')).toEqual([200, 200])
    expect(operations('DownloadArtifactZip')).toEqual([302, 302])
  })

  test('another run: a refused token and a missing token are one-line errors', async () => {
    useEnv(service.newRunEnv())
    const refused = downloadBackup({
      name: 'etcd-snapshot-roundtrip',
      runId: service.runId,
      token: 'ghs_wrong',
      path: newDir()
    })
    await expect(refused).rejects.toThrow(ArtifactError)
    await expect(refused).rejects.toThrow(/Bad credentials.*actions:read/)
    const tokenless = downloadBackup({ name: 'etcd-snapshot-roundtrip', runId: service.runId, path: newDir() })
    await expect(tokenless).rejects.toThrow(ConfigurationError)
    await expect(tokenless).rejects.toThrow(/needs github-token/)
  })

  test('a zip damaged in storage fails the digest check', async () => {
    const name = 'etcd-snapshot-tampered'
    const { id } = await uploadBackup({ name, files: [manifestFile], rootDirectory: workDir })
    // Flip a byte inside the stored manifest: CRC and sha256 no longer match.
    service.tamperZip(id, zip => {
      const at = zip.indexOf(manifestBytes.subarray(0, 16))
      zip[at + 5] = (zip[at + 5] ?? 0) ^ 0xff
      return zip
    })
    const result = downloadBackup({ name, path: newDir() })
    await expect(result).rejects.toThrow(ArtifactError)
    await expect(result).rejects.toThrow(/sha256 differs from the digest recorded at upload.*nothing was extracted/)
  })

  test('a name that does not exist is an ArtifactError', async () => {
    const result = downloadBackup({ name: 'no-such-artifact', path: newDir() })
    await expect(result).rejects.toThrow(ArtifactError)
    await expect(result).rejects.toThrow(/Artifact not found for name: no-such-artifact/)
    await expect(downloadBackup({ id: 1, path: newDir() })).rejects.toThrow(/has no artifact with that id/)
  })
})

describe('service failures', () => {
  test('CreateArtifact answering 500 twice: the client backs off and succeeds', async () => {
    service.failNext('CreateArtifact', 2, 500)
    const started = Date.now()
    const result = await uploadBackup({ name: 'after-two-500s', files: [manifestFile], rootDirectory: workDir })
    const elapsed = Date.now() - started
    expect(operations('CreateArtifact')).toEqual([500, 500, 200])
    expect(service.artifacts().find(a => a.id === result.id)?.name).toBe('after-two-500s')
    // The Twirp client waits 3 s, then 4.5–6.75 s (5 attempts at most): this test costs ~8–10 s.
    expect(elapsed).toBeGreaterThanOrEqual(7000)
  })

  test('Put Block answering 500 twice: the Azure SDK retries and the upload succeeds', async () => {
    service.failNext('PutBlock', 2, 500)
    const result = await uploadBackup({ name: 'after-blob-500s', files: [manifestFile], rootDirectory: workDir })
    expect(operations('PutBlock')).toEqual([500, 500, 201])
    expect(service.readZipEntries(result.id).get('manifest.json')?.equals(manifestBytes)).toBe(true)
  })

  test('a 4xx from CreateArtifact is not retried and its message reaches the ArtifactError', async () => {
    service.failNext('CreateArtifact', 1, 400, 'artifact name is not allowed by repository policy')
    const result = uploadBackup({ name: 'refused', files: [manifestFile], rootDirectory: workDir })
    await expect(result).rejects.toThrow(ArtifactError)
    await expect(result).rejects.toThrow(/\(400\).*artifact name is not allowed by repository policy/)
    expect(operations('CreateArtifact')).toEqual([400])
    expect(service.artifacts().some(a => a.name === 'refused')).toBe(false)
  })

  test('a name the service rejects', async () => {
    service.rejectNames(/^forbidden-/)
    try {
      const result = uploadBackup({ name: 'forbidden-name', files: [manifestFile], rootDirectory: workDir })
      await expect(result).rejects.toThrow(/artifact name "forbidden-name" is not allowed/)
    } finally {
      service.rejectNames(undefined)
    }
  })

  test('a duplicate name in the same run is refused with AlreadyExists', async () => {
    await uploadBackup({ name: 'duplicate', files: [manifestFile], rootDirectory: workDir })
    const second = uploadBackup({ name: 'duplicate', files: [manifestFile], rootDirectory: workDir })
    await expect(second).rejects.toThrow(ArtifactError)
    await expect(second).rejects.toThrow(/\(409\).*already exists.*choose another artifact-name/)
    expect(service.artifacts().filter(a => a.name === 'duplicate')).toHaveLength(1)
  })

  test('a Put Block List refused with 403: the Azure error message reaches the ArtifactError', async () => {
    service.failNext('PutBlockList', 1, 403, 'Server failed to authenticate the request.')
    const result = uploadBackup({ name: 'blob-refused', files: [manifestFile], rootDirectory: workDir })
    await expect(result).rejects.toThrow(ArtifactError)
    await expect(result).rejects.toThrow(/Server failed to authenticate the request/)
    expect(operations('FinalizeArtifact')).toEqual([])
  })

  test('a service that stops answering: our timeout fails the upload', async () => {
    service.hangNext('CreateArtifact', 1)
    const result = uploadBackup({ name: 'hung', files: [manifestFile], rootDirectory: workDir, timeoutMs: 1500 })
    await expect(result).rejects.toThrow(ArtifactError)
    await expect(result).rejects.toThrow(/did not answer within 2 s/)
    expect(operations('CreateArtifact')).toEqual([0])
  })

  test('blob storage that stops answering: the client gives up after ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS', async () => {
    service.hangNext('PutBlock', 1)
    // Read by the client at call time, so setting it here takes effect.
    process.env['ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS'] = '500'
    const result = uploadBackup({ name: 'stalled', files: [manifestFile], rootDirectory: workDir })
    await expect(result).rejects.toThrow(/Upload progress stalled/)
  })
})

describe('configuration errors', () => {
  test('outside a workflow the upload says to set upload: false', async () => {
    delete process.env['ACTIONS_RUNTIME_TOKEN']
    const result = uploadBackup({ name: 'x', files: [manifestFile], rootDirectory: workDir })
    await expect(result).rejects.toThrow(ConfigurationError)
    await expect(result).rejects.toThrow(/ACTIONS_RUNTIME_TOKEN is not set.*`upload: false`/)
    expect(service.requests).toEqual([])
  })

  test('outside a workflow a same-run download says how to fetch another run', async () => {
    delete process.env['ACTIONS_RUNTIME_TOKEN']
    delete process.env['ACTIONS_RESULTS_URL']
    await expect(downloadBackup({ name: 'x', path: newDir() })).rejects.toThrow(
      /ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL are not set.*run-id and github-token/
    )
  })

  test('retention days out of range and an ambiguous download are refused before any request', async () => {
    for (const retentionDays of [0, 91, 1.5]) {
      await expect(
        uploadBackup({ name: 'x', files: [manifestFile], rootDirectory: workDir, retentionDays })
      ).rejects.toThrow(/retention-days must be a whole number from 1 to 90/)
    }
    await expect(downloadBackup({ name: 'x', id: 1, path: newDir() })).rejects.toThrow(/either an artifact name or/)
    await expect(downloadBackup({ path: newDir() })).rejects.toThrow(ConfigurationError)
    expect(service.requests).toEqual([])
  })
})

/** One zip entry, built by hand: its name, the bytes as stored, and what the headers declare. */
interface HandEntry {
  name: string
  method: 0 | 8
  data: Buffer
  size: number
  crc: number
}

/** A zip with the given entries: local headers and data, central directory, end record (no zip64). */
function handZip(entries: HandEntry[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const entry of entries) {
    const name = Buffer.from(entry.name)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(entry.method, 8)
    local.writeUInt32LE(entry.crc, 14)
    local.writeUInt32LE(entry.data.length, 18)
    local.writeUInt32LE(entry.size, 22)
    local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(entry.method, 10)
    central.writeUInt32LE(entry.crc, 16)
    central.writeUInt32LE(entry.data.length, 20)
    central.writeUInt32LE(entry.size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, entry.data)
    centrals.push(central, name)
    offset += local.length + name.length + entry.data.length
  }
  const cd = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cd, end])
}

/** `bytes` zeros, deflated as a stream (never held whole): about 1 KB per MB. */
async function deflatedZeros(bytes: number): Promise<{ data: Buffer; crc: number }> {
  const deflate = zlib.createDeflateRaw({ level: 9 })
  const out: Buffer[] = []
  deflate.on('data', (chunk: Buffer) => out.push(chunk))
  const zeros = Buffer.alloc(1 << 20)
  let crc = 0
  for (let left = bytes; left > 0; left -= zeros.length) {
    const piece = zeros.subarray(0, Math.min(left, zeros.length))
    crc = zlib.crc32(piece, crc)
    if (!deflate.write(piece)) await new Promise(resolve => deflate.once('drain', resolve))
  }
  await new Promise(resolve => deflate.end(resolve))
  return { data: Buffer.concat(out), crc }
}

describe('a hostile artifact', () => {
  const bombSize = 512 << 20
  let bomb: { data: Buffer; crc: number }

  beforeAll(async () => {
    bomb = await deflatedZeros(bombSize)
  })

  async function refusedDownload(name: string, zip: Buffer): Promise<{ message: string; dir: string; ms: number }> {
    const { id } = await uploadBackup({ name, files: [manifestFile], rootDirectory: workDir })
    service.replaceZip(id, zip)
    service.requests.length = 0
    const dir = newDir()
    const started = Date.now()
    const result = downloadBackup({ name, path: dir })
    await expect(result).rejects.toThrow(ArtifactError)
    const message = await result.then(
      () => '',
      (e: unknown) => (e as Error).message
    )
    return { message, dir, ms: Date.now() - started }
  }

  test('a zip bomb whose entry lies about its size: refused at the declared size, at once, in one line, nothing kept', async () => {
    const zip = handZip([
      {
        name: 'manifest.json',
        method: 0,
        data: manifestBytes,
        size: manifestBytes.length,
        crc: zlib.crc32(manifestBytes)
      },
      { name: 'etcd-snapshot.db.zst.age', method: 8, data: bomb.data, size: 4096, crc: bomb.crc }
    ])
    expect(zip.length).toBeLessThan(1 << 20)
    const { message, dir, ms } = await refusedDownload('etcd-snapshot-lying-bomb', zip)
    expect(message).toBe(
      `Download of artifact "etcd-snapshot-lying-bomb" failed: the artifact's zip is refused, etcd-snapshot.db.zst.age expands beyond the 4096 bytes it declares; nothing from it was kept; the backup action did not upload this zip (it was replaced or made by hand), use another artifact`
    )
    // Not a transient failure: one download, no retries (the client waits 5 s before each).
    expect(operations('GetBlob')).toEqual([200])
    expect(ms).toBeLessThan(5000)
    expect(readdirSync(dir)).toEqual([])
  })

  test('a zip bomb that declares its size honestly: refused before anything is written', async () => {
    const zip = handZip([
      { name: 'etcd-snapshot.db.zst.age', method: 8, data: bomb.data, size: bombSize, crc: bomb.crc }
    ])
    const { message, dir } = await refusedDownload('etcd-snapshot-honest-bomb', zip)
    expect(message).toBe(
      `Download of artifact "etcd-snapshot-honest-bomb" failed: the artifact's zip is refused, etcd-snapshot.db.zst.age would expand to the ${bombSize} bytes it declares from ${bomb.data.length} compressed, beyond the ${bomb.data.length * 16 + (1 << 20)} bytes an entry may expand to; nothing from it was kept; the backup action did not upload this zip (it was replaced or made by hand), use another artifact`
    )
    expect(operations('GetBlob')).toEqual([200])
    expect(readdirSync(dir)).toEqual([])
  })

  test('an entry named to land outside the download directory is refused', async () => {
    const data = Buffer.from('owned')
    const zip = handZip([{ name: '../outside.txt', method: 0, data, size: data.length, crc: zlib.crc32(data) }])
    const { message, dir } = await refusedDownload('etcd-snapshot-traversal', zip)
    expect(message).toMatch(/an entry is named "\.\.\/outside\.txt", which would land outside the download directory/)
    expect(readdirSync(dir)).toEqual([])
    expect(existsSync(path.join(dir, '..', 'outside.txt'))).toBe(false)
  })

  test('a deflated entry within its size, as upload-artifact with compression makes it, is extracted', async () => {
    const content = Buffer.from(JSON.stringify({ a: 'b'.repeat(5000) }))
    const zip = handZip([
      {
        name: 'manifest.json',
        method: 8,
        data: zlib.deflateRawSync(content),
        size: content.length,
        crc: zlib.crc32(content)
      },
      {
        name: 'sub/x.bin',
        method: 0,
        data: backupBytes.subarray(0, 1000),
        size: 1000,
        crc: zlib.crc32(backupBytes.subarray(0, 1000))
      }
    ])
    const { id } = await uploadBackup({ name: 'etcd-snapshot-deflated', files: [manifestFile], rootDirectory: workDir })
    service.replaceZip(id, zip)
    const dir = newDir()
    const result = await downloadBackup({ name: 'etcd-snapshot-deflated', path: dir })
    expect(result.files).toEqual([path.join(dir, 'manifest.json'), path.join(dir, 'sub', 'x.bin')])
    expect(readFileSync(path.join(dir, 'manifest.json')).equals(content)).toBe(true)
  })
})
