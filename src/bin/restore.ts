import { run } from '../restore.js'

await run()
