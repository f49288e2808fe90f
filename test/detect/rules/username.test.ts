import { describe, expect, it } from 'vitest';
import { usernameDetector } from '../../../src/detect/rules/username.js';
import { values } from './helpers.js';

describe('rules.username', () => {
  it.each([
    ['Login: jsmith42 / password: x', 'jsmith42'],
    ['username=d.okonkwo&pw=abc', 'd.okonkwo'],
    ['My username is kwame', 'kwame'],
    ['the login was kwame_m.', 'kwame_m'],
    ['user ID: "maria.g@corp"', 'maria.g@corp'],
    ['username: admin', 'admin'],
  ])('takes the value after the label in %j', (text, expected) => {
    expect(values(usernameDetector, text)).toEqual([expected]);
  });

  it('leaves prose, chat role labels and filler values alone', () => {
    for (const text of [
      'Enter your username and password.',
      'User: hello there',
      'The login is broken.',
      'Username: required',
      'Login: failed',
    ]) {
      expect(values(usernameDetector, text), text).toEqual([]);
    }
  });
});
