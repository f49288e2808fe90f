import { describe, expect, it } from 'vitest';
import { findInitials } from '../../../src/detect/ner/initials.js';

const initials = (text: string): string[] => findInitials(text).map((match) => text.slice(match.start, match.end));

describe('people named by their initials', () => {
  it('finds initials after a title and dotted initials alone', () => {
    expect(initials('by a British national, Mr J.D. ("the applicant"); he married Ms Y in 1999')).toEqual(['Mr J.D.', 'Ms Y']);
    expect(initials('In 1998 the applicant married D.P. They have two children. D.P. threatened her.')).toEqual(['D.P.', 'D.P.']);
    expect(initials('CHILDREN PRESENT: M.Q. (age 9), A.G. (age 4)')).toEqual(['M.Q.', 'A.G.']);
  });

  it('leaves abbreviations and initials that start a written-out name alone', () => {
    expect(initials('the U.S. Army in Washington, D.C. at 5 P.M.; Sarah Patel, M.D.; 28 U.S.C. § 2241; Mr Smith')).toEqual([]);
    expect(initials('J.R.R. Tolkien and F.W. de Klerk met')).toEqual([]);
  });
});
