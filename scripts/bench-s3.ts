/**
 * Upload throughput of the offsite copy (src/s3) to a local MinIO (the test harness's), for the two strategies:
 *   after    the backup file is written first, then uploaded whole after the gate (uploadFile)
 *   overlap  the bytes are uploaded as they are written (startUpload + write), completed after the gate
 * The "backup" is a file of random bytes (incompressible, as an age file is) copied in 1 MiB chunks.
 *
 *   npx tsx scripts/bench-s3.ts [--size-mib 1024] [--part-mib 16] [--queue 4] [--runs 1] [--only after|overlap]
 * For a profile: node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx scripts/bench-s3.ts --only after
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startS3Server, stopAllS3Servers } from '../__tests__/harness/s3-server.js'
import { backupKey, parseS3Settings, startUpload, uploadFile, type S3Settings } from '../src/s3/index.js'

const MiB = 1024 * 1024
const { values } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    'part-mib': { type: 'string', default: '16' },
    queue: { type: 'string', default: '4' },
    runs: { type: 'string', default: '1' },
    only: { type: 'string' }
  }
})
const sizeMiB = Number(values['size-mib'])
const partSize = Number(values['part-mib']) * MiB
const queueSize = Number(values.queue)
const runs = Number(values.runs)

/** Copies `src` to `dest` in 1 MiB chunks, handing each chunk to `also` as well (awaited: its backpressure counts). */
async function produce(src: string, dest: string, also?: (chunk: Buffer) => Promise<void>): Promise<void> {
  const out = createWriteStream(dest)
  for await (const chunk of createReadStream(src, { highWaterMark: MiB })) {
    const buf = chunk as Buffer
    if (!out.write(buf)) await once(out, 'drain')
    if (also) await also(buf)
  }
  out.end()
  await once(out, 'finish')
}

const rate = (bytes: number, ms: number): string => `${((bytes / 1e6) * 1000) / ms}`.slice(0, 6) + ' MB/s'

// Peak resident memory during each upload, sampled every 50 ms.
let peakRss = 0
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50)
const peak = (): string => `peak RSS ${(peakRss / MiB).toFixed(0)} MiB`

const dir = mkdtempSync(join(tmpdir(), 'bench-s3-'))
const s3 = await startS3Server()
try {
  const credentials = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }
  const sdk = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials })
  await sdk.send(new CreateBucketCommand({ Bucket: 'bench' }))
  sdk.destroy()
  const settings = parseS3Settings({ uri: 's3://bench/etcd/', endpoint: s3.endpoint }) as S3Settings
  const source = join(dir, 'source.bin')
  // Random source, written once (and so in the page cache).
  {
    const out = createWriteStream(source)
    for (let i = 0; i < sizeMiB; i++) if (!out.write(randomBytes(MiB))) await once(out, 'drain')
    out.end()
    await once(out, 'finish')
  }
  const bytes = sizeMiB * MiB
  const options = { credentials, partSize, queueSize }
  console.log(`${sizeMiB} MiB, parts of ${partSize / MiB} MiB, ${queueSize} in flight, MinIO on loopback`)

  for (let run = 1; run <= runs; run++) {
    if (values.only !== 'overlap') {
      const file = join(dir, `after-${run}.age`)
      const t0 = performance.now()
      await produce(source, file)
      peakRss = 0
      const t1 = performance.now()
      await uploadFile(settings, backupKey(settings, `after-${run}`, 'backup.age'), file, options)
      const t2 = performance.now()
      console.log(
        `after   #${run}: write ${(t1 - t0).toFixed(0)} ms, upload ${(t2 - t1).toFixed(0)} ms = ${rate(bytes, t2 - t1)}; end to end ${(t2 - t0).toFixed(0)} ms = ${rate(bytes, t2 - t0)}, ${peak()}`
      )
      rmSync(file)
    }
    if (values.only !== 'after') {
      const file = join(dir, `overlap-${run}.age`)
      peakRss = 0
      const t0 = performance.now()
      const up = await startUpload(settings, backupKey(settings, `overlap-${run}`, 'backup.age'), options)
      await produce(source, file, chunk => up.write(chunk))
      const t1 = performance.now()
      await up.complete()
      const t2 = performance.now()
      console.log(
        `overlap #${run}: write+upload ${(t1 - t0).toFixed(0)} ms, complete ${(t2 - t1).toFixed(0)} ms; end to end ${(t2 - t0).toFixed(0)} ms = ${rate(bytes, t2 - t0)}, ${peak()}`
      )
      rmSync(file)
    }
  }
} finally {
  clearInterval(sampler)
  await stopAllS3Servers()
  rmSync(dir, { recursive: true, force: true })
}
