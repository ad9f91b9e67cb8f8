// Validators against published examples and hand-checked values: ISO 13616's and the
// banks' sample IBANs, the card networks' public test numbers, INSEE's NIR example,
// known SIREN/SIRET of public companies. Each invalid value differs by one digit.
#include <gtest/gtest.h>

#include <string>

#include "guard/validators.h"

namespace tq::guard {
namespace {

std::string compact(std::string s) {
  std::erase(s, ' ');
  return s;
}

TEST(Validators, IbanPublishedExamples) {
  EXPECT_TRUE(iban_valid(compact("FR76 3000 6000 0112 3456 7890 189")));
  EXPECT_TRUE(iban_valid(compact("GB82 WEST 1234 5698 7654 32")));  // ISO 13616 example
  EXPECT_TRUE(iban_valid(compact("DE89 3704 0044 0532 0130 00")));
  EXPECT_TRUE(iban_valid(compact("BE68 5390 0754 7034")));
  EXPECT_TRUE(iban_valid(compact("CH93 0076 2011 6238 5295 7")));
  EXPECT_FALSE(iban_valid(compact("FR76 3000 6000 0112 3456 7890 188")));  // one digit off
  EXPECT_FALSE(iban_valid(compact("GB82 WEST 1234 5698 7654 33")));
  EXPECT_FALSE(iban_valid(compact("FR76 3000 6000 0112 3456 7890 18")));   // FR is 27 long
  EXPECT_FALSE(iban_valid(compact("ZZ76 3000 6000 0112 3456 7890 189")));  // no such country
  EXPECT_EQ(iban_length("FR"), 27);
  EXPECT_EQ(iban_length("NO"), 15);
  EXPECT_EQ(iban_length("LC"), 32);
}

TEST(Validators, CardTestNumbers) {
  EXPECT_TRUE(card_valid("4111111111111111"));
  EXPECT_EQ(card_issuer("4111111111111111"), "Visa");
  EXPECT_TRUE(card_valid("5555555555554444"));
  EXPECT_EQ(card_issuer("5555555555554444"), "Mastercard");
  EXPECT_EQ(card_issuer("2223003122003222"), "Mastercard");  // 2-series BIN
  EXPECT_TRUE(card_valid("2223003122003222"));
  EXPECT_EQ(card_issuer("378282246310005"), "Amex");
  EXPECT_TRUE(card_valid("371449635398431"));
  EXPECT_EQ(card_issuer("6011111111111117"), "Discover");
  EXPECT_EQ(card_issuer("3530111333300000"), "JCB");
  EXPECT_TRUE(card_valid("4000002500001001"));   // CB co-badged test card (Visa range)
  EXPECT_FALSE(card_valid("4111111111111112"));  // Luhn fails
  EXPECT_FALSE(card_valid("9111111111111111"));  // no issuer starts with 9
  EXPECT_FALSE(card_valid("411111111111111"));   // Visa is never 15 digits
  EXPECT_FALSE(card_valid("37828224631000"));    // Amex is 15 digits
}

TEST(Validators, LuhnBasics) {
  EXPECT_TRUE(luhn_valid("79927398713"));  // the textbook example
  EXPECT_FALSE(luhn_valid("79927398710"));
  EXPECT_FALSE(luhn_valid(""));
  EXPECT_FALSE(luhn_valid("7992a398713"));
}

TEST(Validators, NirKeyAndCorsica) {
  EXPECT_TRUE(nir_valid("255081416802538"));  // INSEE's example 2 55 08 14 168 025 38
  EXPECT_FALSE(nir_valid("255081416802539"));
  // Corsica: 2A counts as 19, 2B as 18 (keys computed by hand: 97 - n mod 97).
  EXPECT_TRUE(
      nir_valid("18505"
                "2A"
                "00412356"));
  EXPECT_TRUE(
      nir_valid("27703"
                "2B"
                "05608931"));
  EXPECT_FALSE(
      nir_valid("18505"
                "2B"
                "00412356"));                  // right key for 2A, not for 2B
  EXPECT_FALSE(nir_valid("355081416802538"));  // sex digit must be 1 or 2
  EXPECT_FALSE(nir_valid("25513"));            // too short
  EXPECT_FALSE(nir_valid("255131416802538"));  // month 13 does not exist
}

TEST(Validators, SirenSiretVat) {
  EXPECT_TRUE(siren_valid("732829320"));
  EXPECT_TRUE(siren_valid("443061841"));
  EXPECT_FALSE(siren_valid("732829321"));
  EXPECT_TRUE(siret_valid("73282932000074"));
  EXPECT_TRUE(siret_valid("44306184100047"));
  EXPECT_FALSE(siret_valid("73282932000075"));
  EXPECT_TRUE(siret_valid("35600000000048"));  // La Poste
  EXPECT_TRUE(siret_valid("35600000049837"));  // La Poste: Luhn fails, digit sum 45
  EXPECT_FALSE(siret_valid("35600000049838"));
  EXPECT_TRUE(vat_fr_valid("FR40303265045"));  // key (12 + 3 * (303265045 mod 97)) mod 97
  EXPECT_TRUE(vat_fr_valid("FR64443061841"));
  EXPECT_FALSE(vat_fr_valid("FR41303265045"));
  EXPECT_FALSE(vat_fr_valid("DE40303265045"));
}

TEST(Validators, PhoneNumberingPlans) {
  EXPECT_TRUE(fr_national_phone_valid("0612345678"));
  EXPECT_TRUE(fr_national_phone_valid("0142685300"));
  EXPECT_TRUE(fr_national_phone_valid("0972123456"));
  EXPECT_FALSE(fr_national_phone_valid("0812345678"));  // special-rate services
  EXPECT_FALSE(fr_national_phone_valid("0012345678"));
  EXPECT_FALSE(fr_national_phone_valid("061234567"));
  EXPECT_EQ(e164_valid("33612345678"), 2);
  EXPECT_EQ(e164_valid("33012345678"), 0);   // no trunk 0 after +33
  EXPECT_EQ(e164_valid("3361234567"), 0);    // French numbers have 9 digits after +33
  EXPECT_EQ(e164_valid("442079460958"), 2);  // London
  EXPECT_EQ(e164_valid("14155552671"), 1);   // NANP
  EXPECT_EQ(e164_valid("14151552671"), 0);   // NANP exchange cannot start with 1
  EXPECT_EQ(e164_valid("35227123456"), 3);   // Luxembourg
  EXPECT_EQ(e164_valid("999123456"), 0);     // unassigned
  EXPECT_EQ(e164_valid("19115552671"), 0);   // NANP area code cannot be N11
}

TEST(Validators, UkAndNorthAmericanNationalPlans) {
  EXPECT_TRUE(uk_national_phone_valid("02079460958"));   // London
  EXPECT_TRUE(uk_national_phone_valid("01614960754"));   // Manchester
  EXPECT_TRUE(uk_national_phone_valid("07700900123"));   // mobile (Ofcom drama range)
  EXPECT_FALSE(uk_national_phone_valid("07000123456"));  // 070 personal numbering
  EXPECT_FALSE(uk_national_phone_valid("08001234567"));  // freephone
  EXPECT_FALSE(uk_national_phone_valid("0207946095"));   // ten digits
  EXPECT_TRUE(nanp_national_valid("4155550132"));
  EXPECT_FALSE(nanp_national_valid("1155550132"));  // area code starts 2-9
  EXPECT_FALSE(nanp_national_valid("4151550132"));  // so does the exchange
  EXPECT_FALSE(nanp_national_valid("9115550132"));  // N11 service code
  EXPECT_FALSE(nanp_national_valid("4154110132"));
}

}  // namespace
}  // namespace tq::guard
