import { describe, expect, it } from 'vitest';
import { dicomWebAuthorization } from './auth';

describe('dicomWebAuthorization', () => {
  it('encodes basic credentials as UTF-8 (RFC 7617) and trims a bearer token', () => {
    expect(dicomWebAuthorization({ kind: 'basic', user: 'lab', password: 's3cret' })).toBe(`Basic ${Buffer.from('lab:s3cret').toString('base64')}`);
    expect(dicomWebAuthorization({ kind: 'basic', user: 'josé', password: 'ü€' })).toBe(`Basic ${Buffer.from('josé:ü€', 'utf8').toString('base64')}`);
    expect(dicomWebAuthorization({ kind: 'bearer', token: ' abc.def \n' })).toBe('Bearer abc.def');
    expect(dicomWebAuthorization({ kind: 'none' })).toBeNull();
  });
});
