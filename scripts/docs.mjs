// Generates the README's input/output tables from action.yml (and restore/action.yml), between marker comments.
// `node scripts/docs.mjs` rewrites README.md; `--check` fails when README.md differs from what action.yml says.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { parse } from 'yaml'

const check = process.argv.includes('--check')
const actions = [
  ['backup', 'action.yml'],
  ['restore', 'restore/action.yml']
]

const cell = text => String(text ?? '').replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|')

function tables(file) {
  const spec = parse(readFileSync(file, 'utf8'))
  const inputs = Object.entries(spec.inputs ?? {}).map(
    ([name, i]) => `| \`${name}\` | ${i.default === undefined || i.default === '' ? '' : `\`${cell(i.default)}\``} | ${cell(i.description)} |`
  )
  const outputs = Object.entries(spec.outputs ?? {}).map(([name, o]) => `| \`${name}\` | ${cell(o.description)} |`)
  return {
    inputs: ['| input | default | description |', '|---|---|---|', ...inputs].join('\n'),
    outputs: ['| output | description |', '|---|---|', ...outputs].join('\n')
  }
}

let readme = readFileSync('README.md', 'utf8')
const original = readme
for (const [id, file] of actions) {
  if (!existsSync(file)) continue
  const t = tables(file)
  for (const kind of ['inputs', 'outputs']) {
    const start = `<!-- ${id}-${kind}:start -->`
    const end = `<!-- ${id}-${kind}:end -->`
    const a = readme.indexOf(start)
    const b = readme.indexOf(end)
    if (a < 0 || b < a) {
      console.error(`README.md lacks the markers ${start} ... ${end}`)
      process.exit(1)
    }
    readme = `${readme.slice(0, a + start.length)}\n${t[kind]}\n${readme.slice(b)}`
  }
}
if (check) {
  if (readme !== original) {
    console.error('README.md tables differ from action.yml: run `npm run docs` and commit README.md')
    process.exit(1)
  }
  console.log('README.md tables match action.yml')
} else if (readme !== original) {
  writeFileSync('README.md', readme)
  console.log('README.md tables updated')
}
