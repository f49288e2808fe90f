import { describe, expect, it } from 'vitest';
import { passwordDetector } from '../../../src/detect/rules/password.js';
import { values } from './helpers.js';

describe('rules.password', () => {
  it.each([
    ['password=hunter22&user=bob', 'hunter22'],
    ['pwd: s3cr3t!x', 's3cr3t!x'],
    ['{"password": "correct horse battery"}', 'correct horse battery'],
    ["DB_PASSWORD='Tr0ub4dor&3'", 'Tr0ub4dor&3'],
    ['client_secret: abcDEF123456', 'abcDEF123456'],
    // Unquoted values keep the &, ; and ) inside them; those end a value only where it visibly ends.
    ['password: Tr0ub4dor&3 ; server 10.0.4.17', 'Tr0ub4dor&3'],
    ['pw=a;b)c,d', 'a;b)c,d'],
    ['password=hunter22;user=bob', 'hunter22'],
    ['(password: letmein42), then log in', 'letmein42'],
    ['password: s3cret, and the user', 's3cret'],
  ])('masks only the value in %j', (text, expected) => {
    expect(values(passwordDetector, text)).toEqual([expected]);
  });

  it('masks a password written in prose when the value looks like one', () => {
    expect(values(passwordDetector, 'My password is hunter2 and my API key is below.')).toEqual(['hunter2']);
    expect(values(passwordDetector, 'the PIN was 4821.')).toEqual(['4821']);
    expect(values(passwordDetector, "passcode is now 'x7!k zz'")).toEqual(['x7!k zz']);
    expect(values(passwordDetector, 'The password is incorrect. Your password is required; the PIN is wrong.')).toEqual([]);
    expect(values(passwordDetector, 'The spin is 3000 rpm; bypass is 12.')).toEqual([]);
    // Chat shorthand: "pw is", and "pass" right before a value with a digit or a symbol.
    expect(values(passwordDetector, 'network is LaCasaDeChris, pw is sunflower2024! ok')).toEqual(['sunflower2024!']);
    expect(values(passwordDetector, 'login is owlbro99 pass Gr1ndM0de! dont tell him')).toEqual(['Gr1ndM0de!']);
    expect(values(passwordDetector, 'you pass 3 exams; pass the salt; we pass 100% of tests')).toEqual([]);
  });

  it('masks the password of a connection string', () => {
    expect(values(passwordDetector, 'DATABASE_URL=postgres://app:s3cr3tPass@db.internal:5432/crm')).toEqual(['s3cr3tPass']);
    expect(values(passwordDetector, 'mongodb+srv://user:p%40ss@cluster0.example.net/db')).toEqual(['p%40ss']);
    expect(values(passwordDetector, 'postgres://orders_admin:pX9!vQ2#mLr7@172.31.22.145:5432/orders')).toEqual(['pX9!vQ2#mLr7']);
    expect(values(passwordDetector, 'REDIS_URL=redis://:r3d1s-Pa55-2024@172.31.22.146:6379/0')).toEqual(['r3d1s-Pa55-2024']);
  });

  it('ignores placeholders, other words and URLs without credentials', () => {
    expect(values(passwordDetector, 'password: ******** and pwd=<your password> and password=${DB_PASS}')).toEqual([]);
    expect(values(passwordDetector, 'bypass=true compass: north')).toEqual([]);
    expect(values(passwordDetector, 'see https://example.com:8080/path and postgres://db:5432/x')).toEqual([]);
  });
});
