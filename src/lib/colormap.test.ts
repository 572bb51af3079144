import { describe, expect, it } from 'vitest';
import { heatmapRgba, viridis } from './colormap';

describe('viridis', () => {
  it('runs dark purple → yellow and clamps', () => {
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
    expect(viridis(-3)).toEqual(viridis(0));
    expect(viridis(Number.NaN)).toEqual(viridis(0));
    expect(viridis(7)).toEqual(viridis(1));
  });
  it('gets monotonically lighter, so order survives greyscale printing and colour-blindness', () => {
    const lum = (c: number[]) => 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
    const ls = Array.from({ length: 21 }, (_, i) => lum(viridis(i / 20)));
    ls.slice(1).forEach((l, i) => expect(l).toBeGreaterThan(ls[i]!));
  });
});

describe('heatmapRgba', () => {
  it('normalises min→0 and max→1, opaque', () => {
    const px = heatmapRgba([-5, 0, 5]);
    expect(Array.from(px.subarray(0, 4))).toEqual([...viridis(0), 255]);
    expect(Array.from(px.subarray(8, 12))).toEqual([...viridis(1), 255]);
  });
});
