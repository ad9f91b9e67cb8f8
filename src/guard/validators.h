// Check-digit and numbering-plan validators, each written from its public specification:
// ISO 13616 (IBAN, mod 97-10), ISO/IEC 7812 (Luhn, issuer ranges), INSEE (NIR key),
// INSEE/Sirene (SIREN/SIRET Luhn, La Poste exception), DGFiP (French VAT key), ITU-T E.164
// and the ARCEP plan (phone numbers). Inputs are compact: separators already removed.
#pragma once

#include <optional>
#include <string_view>

namespace tq::guard {

bool luhn_valid(std::string_view digits);

// The IBAN length registered for a two-letter country code, 0 when unknown.
int iban_length(std::string_view country);
// `compact`: upper-case letters and digits only, e.g. "FR7630006000011234567890189".
bool iban_valid(std::string_view compact);

// The card scheme whose issuer range and length `digits` fall in, nullopt if none.
// CB (Cartes Bancaires) cards are co-badged on Visa / Mastercard ranges, so they are
// reported under those.
std::optional<std::string_view> card_issuer(std::string_view digits);
bool card_valid(std::string_view digits);  // issuer range + length + Luhn

// 15 characters: sex, year, month, department (digits or 2A/2B), commune, order, key.
bool nir_valid(std::string_view compact);

bool siren_valid(std::string_view digits);  // 9 digits, Luhn
bool siret_valid(std::string_view digits);  // 14 digits, Luhn (La Poste: digit sum % 5)
// "FR" + 2-digit key + SIREN; key = (12 + 3 * (SIREN mod 97)) mod 97.
bool vat_fr_valid(std::string_view compact);

// A French national number "0XXXXXXXXX" (10 digits): 01-05 geographic, 06/07 mobile,
// 09 non-geographic. 08 (special-rate services) is not personal data and is left out.
bool fr_national_phone_valid(std::string_view digits);

// A UK national number "0XXXXXXXXXX" (11 digits, Ofcom plan): 01/02 geographic, 03
// non-geographic, 071-075 and 077-079 mobile (070 personal numbering and 076 pagers are
// left out), 08/09 special rates left out as in France.
bool uk_national_phone_valid(std::string_view digits);

// A North American (NANP) ten-digit number NPA-NXX-XXXX: area code and exchange both
// start 2-9 and are not N11 service codes (211, 411, 911…).
bool nanp_national_valid(std::string_view digits);

// E.164: `digits` after the "+" (or "00"). Returns the country-code length when the
// country code is known and the national number's length and leading digits fit its
// plan, else 0.
int e164_valid(std::string_view digits);

}  // namespace tq::guard
