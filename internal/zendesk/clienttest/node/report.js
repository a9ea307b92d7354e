// report.js is what every scenario script of this folder does with its
// outcome: the report as ONE JSON object on stdout, or, when the scenario
// failed, the error, the failed response and the last request on stderr
// and exit status 1.
'use strict';

const path = require('node:path');

// report runs main, an async function returning the report object;
// exchanges is the script's list of {method, uri} requests, read when the
// scenario fails.
function report(main, exchanges) {
  const script = path.basename(require.main.filename);
  main().then(
    (out) => {
      process.stdout.write(JSON.stringify(out) + '\n');
    },
    (error) => {
      const where = exchanges.at(-1);
      process.stderr.write(`${script}: ${error && error.stack ? error.stack : error}\n`);
      if (error && error.statusCode) {
        process.stderr.write(`status ${error.statusCode}, body ${JSON.stringify(error.result)}\n`);
      }
      if (where) process.stderr.write(`last request: ${where.method} ${where.uri}\n`);
      process.exit(1);
    },
  );
}

module.exports = {report};
