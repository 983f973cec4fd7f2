// Generates parts of README.md from the sources, between marker comments:
// - the input/output tables of action.yml and restore/action.yml (<!-- backup-inputs:start --> ... :end -->);
// - each example workflow examples/<name>.yml that README has markers for (<!-- example:<name>:start --> ... :end -->)
//   as a yaml block, with the file's leading `# ` comment as a one-line title above it.
// The result is formatted with the repository's prettier settings, so `prettier --check` and this script agree.
// `node scripts/docs.mjs` rewrites README.md; `--check` fails when README.md differs from what the sources say.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { format, resolveConfig } from 'prettier'
import { parse } from 'yaml'

const check = process.argv.includes('--check')
const actions = [
  ['backup', 'action.yml'],
  ['restore', 'restore/action.yml']
]

const cell = text =>
  String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\|/g, '\\|')

function tables(file) {
  const spec = parse(readFileSync(file, 'utf8'))
  const inputs = Object.entries(spec.inputs ?? {}).map(
    ([name, i]) =>
      `| \`${name}\` | ${i.default === undefined || i.default === '' ? '' : `\`${cell(i.default)}\``} | ${cell(i.description)} |`
  )
  const outputs = Object.entries(spec.outputs ?? {}).map(([name, o]) => `| \`${name}\` | ${cell(o.description)} |`)
  return {
    inputs: ['| input | default | description |', '|---|---|---|', ...inputs].join('\n'),
    outputs: ['| output | description |', '|---|---|', ...outputs].join('\n')
  }
}

/** An example workflow as README shows it: its leading `# ` comment as a title line, then the file as yaml. */
function example(file) {
  const lines = readFileSync(file, 'utf8').replace(/\s+$/, '').split('\n')
  const title = lines[0]?.startsWith('# ') ? lines.shift().slice(2).trim() : ''
  const body = ['```yaml', ...lines, '```'].join('\n')
  return title ? `${title}\n\n${body}` : body
}

/** Replaces what lies between `start` and `end` with `content`; exits naming the markers when they are missing. */
function fill(readme, start, end, content) {
  const a = readme.indexOf(start)
  const b = readme.indexOf(end)
  if (a < 0 || b < a) {
    console.error(`README.md lacks the markers ${start} ... ${end}`)
    process.exit(1)
  }
  return `${readme.slice(0, a + start.length)}\n${content}\n${readme.slice(b)}`
}

const original = readFileSync('README.md', 'utf8')
let readme = original
for (const [id, file] of actions) {
  if (!existsSync(file)) continue
  const t = tables(file)
  for (const kind of ['inputs', 'outputs']) {
    readme = fill(readme, `<!-- ${id}-${kind}:start -->`, `<!-- ${id}-${kind}:end -->`, t[kind])
  }
}
const examples = existsSync('examples')
  ? readdirSync('examples')
      .filter(f => f.endsWith('.yml'))
      .sort()
  : []
for (const file of examples) {
  const name = file.slice(0, -'.yml'.length)
  const [start, end] = [`<!-- example:${name}:start -->`, `<!-- example:${name}:end -->`]
  // An example README does not show (no markers) stays in examples/ only; README links to the folder.
  if (!readme.includes(start) && !readme.includes(end)) continue
  readme = fill(readme, start, end, example(`examples/${file}`))
}
readme = await format(readme, { ...(await resolveConfig('README.md')), filepath: 'README.md' })

if (check) {
  if (readme !== original) {
    const tablesDiffer = tablesOf(readme) !== tablesOf(original)
    const examplesDiffer = examples.filter(f => exampleOf(readme, f) !== exampleOf(original, f))
    if (tablesDiffer) console.error('README.md tables differ from action.yml: run `npm run docs` and commit README.md')
    for (const f of examplesDiffer) {
      console.error(`README.md differs from examples/${f}: run \`npm run docs\` and commit README.md`)
    }
    if (!tablesDiffer && examplesDiffer.length === 0) {
      console.error('README.md is not formatted as prettier formats it: run `npm run docs` and commit README.md')
    }
    process.exit(1)
  }
  console.log('README.md tables match action.yml')
  const shown = examples.filter(f => original.includes(`<!-- example:${f.slice(0, -'.yml'.length)}:start -->`))
  if (shown.length) console.log(`README.md examples match examples/ (${shown.join(', ')})`)
} else if (readme !== original) {
  writeFileSync('README.md', readme)
  const tablesChanged = tablesOf(readme) !== tablesOf(original)
  const examplesChanged = examples.filter(f => exampleOf(readme, f) !== exampleOf(original, f))
  if (tablesChanged) console.log('README.md tables updated')
  for (const f of examplesChanged) console.log(`README.md example updated from examples/${f}`)
  if (!tablesChanged && examplesChanged.length === 0) console.log('README.md formatted')
}

/** The text of every table block, to tell which kind of generated part is stale. */
function tablesOf(text) {
  return actions
    .flatMap(([id]) =>
      ['inputs', 'outputs'].map(kind => between(text, `<!-- ${id}-${kind}:start -->`, `<!-- ${id}-${kind}:end -->`))
    )
    .join('\n')
}

function exampleOf(text, file) {
  const name = file.slice(0, -'.yml'.length)
  return between(text, `<!-- example:${name}:start -->`, `<!-- example:${name}:end -->`)
}

function between(text, start, end) {
  const a = text.indexOf(start)
  const b = text.indexOf(end)
  return a < 0 || b < a ? '' : text.slice(a + start.length, b)
}
