/**
 * npm run demo: a local TLS etcd with Kubernetes-shaped data, the artifact service emulator, and the bundled action
 * (dist/) run exactly as a runner runs it — main, then post. Prints the log, the outputs and the job summary, then
 * recovers the backup with public tools (age -d | zstd -d | etcdctl snapshot status) to show it is whole.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, runAction } from '../__tests__/harness/action-runner.js'
import { startArtifactService } from '../__tests__/harness/artifact-service.js'
import { startEtcd, stopAll } from '../__tests__/harness/etcd.js'
import { makePki } from '../__tests__/harness/pki.js'
import { seedKubernetes } from '../__tests__/harness/seed.js'

const objects = Number(process.env['DEMO_OBJECTS'] ?? 20_000)
const dir = mkdtempSync(join(tmpdir(), 'etcd-snapshot-demo-'))
const say = (text: string): void => void process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`)

try {
  if (!existsSync(join(ROOT, 'dist', 'main', 'index.js')))
    execFileSync('npm', ['run', 'package'], { cwd: ROOT, stdio: 'inherit' })
  say('starting etcd 3.4 on loopback with a kubeadm-shaped PKI (mutual TLS)')
  const pki = await makePki(join(dir, 'pki'))
  const member = await startEtcd({ pki })
  process.stdout.write(`etcd at ${member.clientUrl}\n`)

  say(`loading ${objects} Kubernetes-shaped objects`)
  const seeded = await seedKubernetes(member, { objects, seed: 1 })
  process.stdout.write(`${seeded.keys} keys, ${(seeded.bytes / 1e6).toFixed(1)} MB, revision ${seeded.revision}\n`)

  say('starting the artifact service emulator; making an age key pair (the runner gets only the public key)')
  const service = await startArtifactService()
  const identity = join(dir, 'key.txt')
  execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' })
  const recipient = execFileSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).trim()

  say('running dist/main/index.js then dist/post/index.js as a runner would')
  const { main, post } = await runAction({
    from: 'dist',
    inputs: {
      endpoints: member.clientUrl,
      cacert: pki.caCert,
      cert: pki.clientCert,
      key: pki.clientKey,
      recipients: recipient,
      'artifact-name': 'etcd-demo',
      'retention-days': '7'
    },
    env: service.env
  })
  // As a runner shows it: mask commands consumed, debug lines hidden (no ACTIONS_STEP_DEBUG).
  const shown = (log: string): string =>
    log
      .split('\n')
      .filter(l => !/^::(add-mask|debug)::/.test(l))
      .join('\n')
  process.stdout.write(shown(main.log))
  process.stdout.write(shown(post.log))
  say('outputs')
  for (const [k, v] of Object.entries(main.outputs)) process.stdout.write(`${k.padEnd(16)} ${v}\n`)
  say('job summary (markdown/HTML as GitHub renders it)')
  process.stdout.write(`${main.summary}\n`)
  if (main.code !== 0) throw new Error(`the action failed: ${main.error}`)

  say('recovering with public tools only: age -d | zstd -d, then etcdctl snapshot status')
  const snapshot = join(dir, 'recovered.db')
  execFileSync('sh', ['-c', `age -d -i "${identity}" "${main.outputs['snapshot-file']}" | zstd -d -q -o "${snapshot}"`])
  process.stdout.write(
    execFileSync('etcdctl', ['snapshot', 'status', '-w', 'table', snapshot], {
      env: { ...process.env, ETCDCTL_API: '3' },
      encoding: 'utf8'
    })
  )
  const stored = service.artifacts().map(a => `${a.name} (id ${a.id}, ${a.size} bytes, ${a.retentionDays} days)`)
  process.stdout.write(`artifacts in the emulator: ${stored.join(', ')}\n`)
  await service.stop()
} finally {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
}
