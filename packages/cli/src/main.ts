#!/usr/bin/env node
// The gatehouse CLI: validate and translate Gateway YAML, talk to the xds admin API, print bootstraps.
import { processIo } from './cli-io.js';
import { runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv.slice(2), processIo);
