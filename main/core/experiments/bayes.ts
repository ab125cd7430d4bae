import { gammaln } from 'simple-statistics';

/** ln B(a, b). */
const lnBeta = (a: number, b: number) => gammaln(a) + gammaln(b) - gammaln(a + b);

/**
 * P(p_B > p_A) for p_A ~ Beta(aA, bA), p_B ~ Beta(aB, bB), exactly (Evan
 * Miller's closed form, valid for integer aB):
 *   Σ_{i=0}^{aB−1} B(aA + i, bA + bB) / ((bB + i) · B(1 + i, bB) · B(aA, bA))
 * Each term in logs. The sum runs over the smaller first parameter, using
 * P(B > A) = 1 − P(A > B) (ties have probability 0).
 */
export function probBGreaterA(aA: number, bA: number, aB: number, bB: number): number {
  if (aB > aA) return 1 - probBGreaterA(aB, bB, aA, bA);
  const base = lnBeta(aA, bA);
  let sum = 0;
  for (let i = 0; i < aB; i++) sum += Math.exp(lnBeta(aA + i, bA + bB) - Math.log(bB + i) - lnBeta(1 + i, bB) - base);
  return Math.min(1, Math.max(0, sum));
}

/**
 * Bayesian chance that the variant's recovery rate beats the control's, with
 * uniform priors: posteriors Beta(1 + recovered, 1 + not recovered). Null when
 * either side has no invoices (the answer would be the prior's 0.5).
 */
export function chanceToBeatControl(xControl: number, nControl: number, xVariant: number, nVariant: number): number | null {
  if (nControl <= 0 || nVariant <= 0) return null;
  return probBGreaterA(1 + xControl, 1 + nControl - xControl, 1 + xVariant, 1 + nVariant - xVariant);
}
