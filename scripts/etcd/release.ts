/**
 * Imported first by scripts that start etcd through __tests__/harness/etcd.ts (the benchmark, say): `--etcd 3.6`
 * on the command line picks that pinned release (scripts/etcd/versions), built once per machine by
 * `scripts/dev.sh etcd-path`. It must run before harness/etcd.ts is evaluated, which reads ETCD_BIN_DIR; PATH gets
 * the same directory first, so etcdctl and etcdutl in the script's shell commands and in the action are that
 * release's too. Without --etcd, ETCD_BIN_DIR as the environment has it (else Debian's etcd in /usr/bin).
 */
import { execFileSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const at = process.argv.indexOf('--etcd')
if (at >= 0) {
  const minor = process.argv[at + 1] ?? ''
  const devSh = join(dirname(fileURLToPath(import.meta.url)), '..', 'dev.sh')
  const dir = execFileSync(devSh, ['etcd-path', minor], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  process.env['ETCD_BIN_DIR'] = dir.trim()
  process.env['PATH'] = `${dir.trim()}:${process.env['PATH'] ?? ''}`
}
