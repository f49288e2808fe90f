import { runVaultStoreContract } from '../conformance/vault-store.contract.js';
import { MemoryVaultStore } from '../../src/vault/stores/memory.js';

runVaultStoreContract({ name: 'memory', create: async () => new MemoryVaultStore() });
