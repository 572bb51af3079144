import { describe, expect, it } from 'vitest';
import { classesTooSmallToConclude, MIN_PER_CLASS_TO_CONCLUDE } from './evidence';

const support = (n: number) => ({ precision: 1, recall: 1, f1: 1, support: n });

describe('classesTooSmallToConclude', () => {
  it('names each class with fewer than 20 held-out images, with its count', () => {
    expect(MIN_PER_CLASS_TO_CONCLUDE).toBe(20);
    const meta = { classNames: ['benign', 'malignant', 'normal'], metrics: { accuracy: 0.7, perClass: { benign: support(18), malignant: support(105), normal: support(20) } } };
    expect(classesTooSmallToConclude(meta)).toEqual([{ className: 'benign', count: 18 }]);
  });

  it('counts a class missing from the held-out part as 0', () => {
    const meta = { classNames: ['adenocarcinoma', 'normal'], metrics: { accuracy: 1, perClass: { normal: support(40) } } };
    expect(classesTooSmallToConclude(meta)).toEqual([{ className: 'adenocarcinoma', count: 0 }]);
  });

  it('is empty when every class has enough, and null when no per-class counts are recorded', () => {
    expect(classesTooSmallToConclude({ classNames: ['a', 'b'], metrics: { accuracy: 1, perClass: { a: support(20), b: support(31) } } })).toEqual([]);
    expect(classesTooSmallToConclude({ classNames: ['a', 'b'], metrics: { accuracy: 1, testCount: 10 } })).toBeNull();
  });
});
