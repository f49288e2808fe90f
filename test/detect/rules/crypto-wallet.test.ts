import { describe, expect, it } from 'vitest';
import {
  cryptoWalletDetector,
  isValidBase58Check,
  isValidBech32Address,
} from '../../../src/detect/rules/crypto-wallet.js';
import { values } from './helpers.js';

describe('rules.crypto_wallet', () => {
  it('finds BTC base58check, bech32, bech32m and ETH addresses', () => {
    const text =
      'pay 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa or 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy or ' +
      'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq or bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297 ' +
      'or 0x52908400098527886E0F7030069857D2E4169EE7.';
    expect(values(cryptoWalletDetector, text)).toEqual([
      '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa',
      '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy',
      'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
      'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297',
      '0x52908400098527886E0F7030069857D2E4169EE7',
    ]);
  });

  it('rejects addresses whose checksum fails', () => {
    expect(isValidBase58Check('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb')).toBe(false);
    expect(isValidBech32Address('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp')).toBe(false);
    expect(values(cryptoWalletDetector, 'pay 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb or bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp')).toEqual([]);
    expect(values(cryptoWalletDetector, 'hash 0x52908400098527886E0F7030069857D2E4169EE')).toEqual([]);
  });
});
