// Bundles each entry point with ncc into dist/<name>/index.js (ESM, unminified so it can be reviewed).
import { execFileSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'

const entries = {
  main: 'src/bin/main.ts',
  post: 'src/bin/post.ts',
  cli: 'src/bin/cli.ts',
  restore: 'src/bin/restore.ts',
  'restore-post': 'src/bin/restore-post.ts'
}
rmSync('dist', { recursive: true, force: true })
for (const [name, entry] of Object.entries(entries)) {
  if (!existsSync(entry)) continue
  execFileSync('npx', ['ncc', 'build', entry, '-o', `dist/${name}`, '--license', 'licenses.txt', '--quiet'], {
    stdio: 'inherit'
  })
}
