/**
 * The zod every plugin schema is built with, configured once. `jitless`: zod v4 otherwise writes a
 * parser for each object schema with `new Function` on its first parse. A CLI run parses each
 * schema a few times, so the compile is never earned back: it was ~7 ms of the ~35 ms between a
 * 7-day sync's last answer and its exit, and a 2-year backfill was no faster with it (measured;
 * README, "zod without generated code"). Each object schema reads the setting when it is built,
 * so the schema modules import z from here, never from 'zod' directly.
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
