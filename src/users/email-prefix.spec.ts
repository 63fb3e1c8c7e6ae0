import { describe, expect, it } from 'vitest';
import { prefixEnd } from './users.service.js';

describe('prefixEnd', () => {
  it('is past every string with the prefix and before every greater one', () => {
    const end = prefixEnd('jen');
    expect(end).toBe('jeo');
    for (const inside of ['jen', 'jen@x.co', 'jenzzzz', 'jen\u{10FFFF}']) expect(inside >= 'jen' && inside < end, inside).toBe(true);
    for (const outside of ['jeo', 'jeoa', 'je', 'ja']) expect(outside >= 'jen' && outside < end, outside).toBe(false);
  });
});
