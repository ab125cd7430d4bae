/**
 * Facts read from the Stripe customer itself (#17 item 17): its address's country and
 * state, preferred locales, and tax exemption. Field meanings from the SDK's Customer
 * type: `address.country` "Two-letter country code (ISO 3166-1 alpha-2)", `address.state`
 * "State, county, province, or region", `preferred_locales` "The customer's preferred
 * locales (languages), ordered by preference", `tax_exempt` "Describes the customer's tax
 * exemption status, which is `none`, `exempt`, or `reverse`".
 */
type O = Record<string, unknown>;
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

export interface CustomerPlace {
  country: string | null;
  state: string | null;
  /** JSON array of locale strings (never null: an empty list). */
  preferred_locales: string;
  tax_exempt: string | null;
}

export function customerPlace(customer: O): CustomerPlace {
  const address = customer.address && typeof customer.address === 'object' ? (customer.address as O) : {};
  const locales = Array.isArray(customer.preferred_locales) ? customer.preferred_locales.map(text).filter((l): l is string => l !== null) : [];
  return {
    // Country codes are upper case in Stripe; a lower-case one from an older import is the same country.
    country: text(address.country)?.toUpperCase() ?? null,
    state: text(address.state),
    preferred_locales: JSON.stringify([...new Set(locales)]),
    tax_exempt: text(customer.tax_exempt),
  };
}
