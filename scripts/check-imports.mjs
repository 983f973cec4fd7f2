// Checks the import graph of src/: no cycle between files, no cycle between folders, and @actions/core imported only
// under src/action/ (the one layer that talks to the runner). Type-only imports count: a cycle of types is still a
// cycle in the design. Exits 1 with one line per problem.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'

const ROOT = 'src'
const files = []
;(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p)
    else if (p.endsWith('.ts')) files.push(normalize(p))
  }
})(ROOT)

const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g
const edges = new Map(files.map(f => [f, new Set()]))
const problems = []
for (const file of files) {
  const text = readFileSync(file, 'utf8')
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2]
    if (spec === '@actions/core' && !file.startsWith(join(ROOT, 'action') + '/')) {
      problems.push(`${file} imports @actions/core; only src/action/ may (library code takes plain arguments)`)
    }
    if (!spec.startsWith('.')) continue
    const target = normalize(join(dirname(file), spec.replace(/\.js$/, '.ts')))
    if (edges.has(target)) edges.get(file).add(target)
  }
}

/** Strongly connected components with more than one node (or a self-loop): Tarjan's algorithm. */
function cycles(graph) {
  let index = 0
  const stack = []
  const on = new Set()
  const idx = new Map()
  const low = new Map()
  const found = []
  const visit = v => {
    idx.set(v, index)
    low.set(v, index++)
    stack.push(v)
    on.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v), low.get(w)))
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)))
    }
    if (low.get(v) === idx.get(v)) {
      const scc = []
      let w
      do {
        w = stack.pop()
        on.delete(w)
        scc.push(w)
      } while (w !== v)
      if (scc.length > 1 || graph.get(v)?.has(v)) found.push(scc.sort())
    }
  }
  for (const v of graph.keys()) if (!idx.has(v)) visit(v)
  return found
}

// Files: the graph as written.
const fileGraph = new Map([...edges].map(([f, to]) => [f, new Set([...to].filter(t => t !== f))]))
for (const scc of cycles(fileGraph)) problems.push(`import cycle between files: ${scc.join(' ↔ ')}`)

// Folders: src/<folder>/...; a file directly in src/ is its own node (errors.ts, tempfiles.ts, ...).
const folderOf = f => {
  const parts = relative(ROOT, f).split('/')
  return parts.length > 1 ? `src/${parts[0]}/` : f
}
const folderGraph = new Map()
for (const [from, to] of fileGraph) {
  const a = folderOf(from)
  if (!folderGraph.has(a)) folderGraph.set(a, new Set())
  for (const t of to) if (folderOf(t) !== a) folderGraph.get(a).add(folderOf(t))
}
for (const scc of cycles(folderGraph)) {
  const why = scc
    .flatMap(a =>
      [...fileGraph]
        .filter(([from]) => folderOf(from) === a)
        .flatMap(([from, to]) =>
          [...to].filter(t => scc.includes(folderOf(t)) && folderOf(t) !== a).map(t => `${from} → ${t}`)
        )
    )
    .slice(0, 6)
  problems.push(`import cycle between folders: ${scc.join(' ↔ ')} (${why.join('; ')})`)
}

if (problems.length) {
  for (const p of problems) console.error(p)
  process.exit(1)
}
console.log(
  `imports: ${files.length} files in src/, no cycles between files or folders; @actions/core only in src/action/`
)
