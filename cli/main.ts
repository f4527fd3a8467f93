/** torchbridge's command line: a flat list of command modules (each imports its implementation lazily). */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import * as check from './commands/check.js';
import * as demo from './commands/demo.js';
import * as diff from './commands/diff.js';
import * as info from './commands/info.js';
import * as mappings from './commands/mappings.js';
import * as migrate from './commands/migrate.js';
import * as serve from './commands/serve.js';

await yargs(hideBin(process.argv))
  .scriptName('torchbridge')
  .command(check)
  .command(demo)
  .command(diff)
  .command(info)
  .command(mappings)
  .command(migrate)
  .command(serve)
  .demandCommand(1, 'name a command (see --help)')
  .strict()
  .fail((msg, err, y) => {
    if (err) throw err;
    console.error(`${y.help()}\n\n${msg}`);
    process.exit(2);
  })
  .help()
  .parseAsync();
