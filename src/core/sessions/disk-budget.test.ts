import { describe, expect, it } from 'vitest';
import { overBudget } from './disk-budget.js';

const session = (name: string, bytes: number, busy = false) => ({ name, bytes, busy });

describe('overBudget', () => {
  it('evicts the least recently used first until the rest fit, skipping busy sessions', () => {
    const sessions = [
      session('oldest', 50, true),
      session('old', 30),
      session('new', 40),
      session('newest', 20),
    ];
    expect(overBudget(sessions, 110).map((s) => s.name)).toEqual(['old']);
    expect(overBudget(sessions, 70).map((s) => s.name)).toEqual(['old', 'new']);
  });

  it('evicts nothing within the budget', () => {
    expect(overBudget([session('a', 10), session('b', 10)], 20)).toEqual([]);
  });
});
