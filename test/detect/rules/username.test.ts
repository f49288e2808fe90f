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
  it('takes an owned login, a gamertag and the account name of a home directory', () => {
    expect(values(usernameDetector, 'cell is 737-555-0190, my login is mkhatri btw; my gamertag is ZekeTheFreak_04')).toEqual(['mkhatri', 'ZekeTheFreak_04']);
    expect(values(usernameDetector, 'File "/home/mkowalski/projects/app.py", line 4; C:\\Users\\ana.silva\\Desktop; /home/ubuntu/app')).toEqual([
      'mkowalski',
      'ana.silva',
    ]);
  });
  it('takes the user of a connection string and of an access log line, not a system account', () => {
    expect(values(usernameDetector, 'DATABASE_URL=postgres://orders_admin:pX9!vQ2@172.31.22.145:5432/orders and mongodb+srv://root:pw@c0.example.net/db')).toEqual(['orders_admin']);
    expect(values(usernameDetector, 'redis://:secret@cache:6379 and http://example.com/a@b')).toEqual([]);
    const log = '203.0.113.190 - rgarcia [12/Mar/2024:10:14:31 +0000] "GET /api/v2/profile HTTP/1.1" 200 1432\n10.0.0.1 - - [12/Mar/2024:10:14:32 +0000] "GET / HTTP/1.1" 200 12';
    expect(values(usernameDetector, log)).toEqual(['rgarcia']);
  });
});
