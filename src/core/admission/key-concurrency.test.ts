import { expect, it } from 'vitest';
import { KeyConcurrency } from './key-concurrency.js';

it('counts running requests per key and frees a slot once, however often released', () => {
  const concurrency = new KeyConcurrency();
  const first = concurrency.acquire('a', 2);
  concurrency.acquire('a', 2);
  expect(() => concurrency.acquire('a', 2)).toThrow(/already has 2/);
  expect(concurrency.acquire('b', 1)).toBeTypeOf('function');
  first();
  first();
  expect(concurrency.running('a')).toBe(1);
  expect(() => concurrency.acquire('a', 2)).not.toThrow();
  expect(() => concurrency.acquire('c', undefined)).not.toThrow();
});
