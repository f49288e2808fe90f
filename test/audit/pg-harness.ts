/**
 * Finds the test PostgreSQL server: `VEIL_TEST_PG_URL`, else 127.0.0.1:5432 database `test` as
 * `postgres` or `root` (trust auth). Returns the reason when none answers, so suites can say
 * why they skip instead of passing silently.
 */
import pg from 'pg';

export type PgProbe = { readonly url: string; readonly reason?: undefined } | { readonly url?: undefined; readonly reason: string };

export async function probePostgres(env: NodeJS.ProcessEnv = process.env): Promise<PgProbe> {
  const explicit = env['VEIL_TEST_PG_URL']?.trim();
  const candidates =
    explicit !== undefined && explicit !== ''
      ? [explicit]
      : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];
  const errors: string[] = [];
  for (const url of candidates) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return { url };
    } catch (error) {
      errors.push(`${url.replace(/\/\/[^@]*@/, '//…@')}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return { reason: `PostgreSQL not reachable (${errors.join('; ')}); set VEIL_TEST_PG_URL to run these tests` };
}
