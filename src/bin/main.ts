import { runWithSmallYoungGeneration } from '../action/launcher.js'

// The backup is loaded only where it runs: the first process of the two only waits for it.
await runWithSmallYoungGeneration(async () => (await import('../action/main.js')).run())
