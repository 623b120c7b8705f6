/** Pryv times are float seconds since the epoch. */
export function nowSeconds(): number {
  return Date.now() / 1000;
}
