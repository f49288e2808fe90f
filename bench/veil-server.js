// Veil's gateway with the default detectors and the normal request log, for the benchmark.
import { createLogger } from '../dist/core/logger.js';
import { Veil } from '../dist/engine.js';
import { resolveConfig } from '../dist/proxy/config.js';
import { Gateway } from '../dist/proxy/server.js';
import { reportReady } from './ipc.js';

const config = resolveConfig({ flags: { port: 0, upstream: process.argv[2] } });
const gateway = new Gateway({ veil: new Veil(), config, logger: createLogger() });
const address = await gateway.listen();
reportReady(address.port);
