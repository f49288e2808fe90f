/**
 * Opens the engine the way every long-lived surface wants it: default detectors and the
 * persistent vault in the data dir (`VEIL_DATA_DIR`, default `.veil`).
 * @module
 */
import { Veil, type VeilOptions } from './engine.js';
import { defaultDataDir, Vault } from './vault/vault.js';

export interface OpenVeilOptions extends Omit<VeilOptions, 'vault'> {
  readonly dataDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export async function openVeil(options: OpenVeilOptions = {}): Promise<Veil> {
  const { dataDir, env = process.env, cwd = process.cwd(), ...veilOptions } = options;
  const vault = await Vault.open({ dataDir: dataDir ?? defaultDataDir(env, cwd), env });
  return new Veil({ ...veilOptions, vault });
}
